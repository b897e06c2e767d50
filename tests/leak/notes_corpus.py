#!/usr/bin/env python3
"""Synthetic free-text corpus with personal data in the forms hospital staff,
patients and reviewers actually type, for the leak scanner.

Usage: notes_corpus.py N SEED RECORDS.ndjson TRUTH.ndjson
RECORDS: input records (the gateway's input contract) whose notes, message and
review texts mention the patient's own identifiers and other people's, in
varied forms. TRUTH: per source_record_id, every identifier value planted in
the record (its canonical form), for leak_scan.py --truth.
All data is generated; no real person's data."""
import json, random, sys

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕"
COMPOUND = ["欧阳", "司马", "诸葛", "上官"]
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕彬鹏辉健俊帆婷宇浩凯"
PROVINCES = [("110101", "北京市", "北京市"), ("310104", "上海市", "上海市"), ("440305", "广东省", "深圳市"),
             ("330106", "浙江省", "杭州市"), ("510107", "四川省", "成都市"), ("420106", "湖北省", "武汉市")]
DISTRICTS = ["朝阳区", "徐汇区", "南山区", "西湖区", "武侯区", "武昌区", "海淀区", "浦东新区"]
ROADS = ["建设路", "人民路", "解放大道", "中山街", "滨江路", "学院路"]
AREA_CODES = ["010", "021", "0755", "0571", "028", "027"]
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
FULL = str.maketrans("0123456789+-X", "０１２３４５６７８９＋－Ｘ")


def resident_id(r):
    area = r.choice(PROVINCES)[0]
    body = area + "%04d%02d%02d" % (r.randint(1935, 2015), r.randint(1, 12), r.randint(1, 28)) + "%03d" % r.randint(0, 999)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]


def legacy_id(r):
    area = r.choice(PROVINCES)[0]
    return area + "%02d%02d%02d" % (r.randint(30, 99), r.randint(1, 12), r.randint(1, 28)) + "%03d" % r.randint(0, 999)


def mobile(r):
    return r.choice(["138", "139", "150", "186", "177", "199", "135", "166"]) + "%08d" % r.randint(0, 99999999)


def card(r):
    body = "62" + "".join(str(r.randint(0, 9)) for _ in range(r.choice([13, 16])))
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def name(r):
    s = r.choice(COMPOUND) if r.random() < 0.1 else r.choice(SURNAMES)
    return s + "".join(r.choice(GIVEN) for _ in range(r.randint(1, 2)))


# Each writer returns (text as typed, canonical value for the truth file).
def id_forms(r, v):
    return r.choice([
        v, v[:17] + v[17].lower(), f"{v[:6]} {v[6:14]} {v[14:]}", f"{v[:6]}-{v[6:14]}-{v[14:]}",
        " ".join(v[i:i + 4] for i in range(0, 18, 4)), v.translate(FULL),
    ])


def mobile_forms(r, v):
    return r.choice([
        v, f"+86 {v}", f"+86-{v[:3]}-{v[3:7]}-{v[7:]}", f"0086 {v}", f"(+86){v}", f"{v[:3]}-{v[3:7]}-{v[7:]}",
        f"{v[:3]} {v[3:7]} {v[7:]}", v.translate(FULL), f"＋８６ {v}".translate(FULL), f"+86 {v[:3]} {v[3:7]} {v[7:]}",
    ])


def landline(r):
    area = r.choice(AREA_CODES)
    number = str(r.randint(2, 8)) + "".join(str(r.randint(0, 9)) for _ in range(7))
    typed = r.choice([f"{area}-{number}", f"({area}){number}", f"{area} {number[:4]} {number[4:]}",
                      f"+86 {area[1:]} {number[:4]} {number[4:]}", f"{area}{number}"])
    return typed, area[1:] + number


def card_forms(r, v):
    return r.choice([v, " ".join(v[i:i + 4] for i in range(0, len(v), 4)), "-".join(v[i:i + 4] for i in range(0, len(v), 4))])


def main():
    n, seed, out_path, truth_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    r = random.Random(seed)
    with open(out_path, "w", encoding="utf-8") as out, open(truth_path, "w", encoding="utf-8") as truth:
        for i in range(n):
            code, province, city = r.choice(PROVINCES)
            district, road = r.choice(DISTRICTS), r.choice(ROADS)
            number, room = f"{r.randint(1, 999)}号", f"{r.randint(101, 2505)}室"
            own = {"name": name(r), "resident_id": resident_id(r), "phone": mobile(r),
                   "mrn": "MRN%08d" % r.randint(0, 99999999), "email": f"pt{r.randint(1000, 99999)}@example.com",
                   "address": (province if province == city else province + city) + district + road + number + room}
            planted = [own["name"], own["resident_id"], own["phone"], own["mrn"], own["email"], road + number, room]
            other_id, other_phone, other_card = resident_id(r), mobile(r), card(r)
            tel_typed, tel = landline(r)
            legacy = legacy_id(r)
            spaced_name = " ".join(own["name"])
            pieces = [
                f"患者{r.choice([own['name'], spaced_name])}，身份证{id_forms(r, own['resident_id'])}",
                f"联系电话{mobile_forms(r, own['phone'])}",
                f"家属电话 {mobile_forms(r, other_phone)}",
                f"住{district}{road}{number}{room}",
                f"病案号{own['mrn']}",
                f"邮箱 {own['email']}",
                f"科室座机{tel_typed}",
                f"退费银行卡{card_forms(r, other_card)}",
                f"老身份证{legacy}",
                f"陪同人身份证：{id_forms(r, other_id)}",
            ]
            planted += [other_phone, tel, other_card, legacy, other_id]
            r.shuffle(pieces)
            clinical = "，".join(pieces[:6]) + "。主诉头晕三天，血压150/95，予以复诊，2026-11-22复查。"
            message = "，".join(pieces[6:]) + "。谢谢医生！"
            review = f"{own['name']}的家人：挂号等了两小时，打{mobile_forms(r, own['phone'])}没人接，差评。"
            rec = {
                "source_record_id": f"NOTE-{i:06d}", "event_type": "review" if i % 5 == 0 else "visit",
                "occurred_at": "2026-11-%02dT%02d:%02d:00+08:00" % (r.randint(1, 28), r.randint(7, 20), r.randint(0, 59)),
                "subject": own,
                "notes": [{"kind": "clinical", "text": clinical}, {"kind": "message", "text": message}],
            }
            if i % 5 == 0:
                rec["feedback"] = {"platform": "demo-review-site", "rating": 1, "sentiment": "negative", "text": review}
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            truth.write(json.dumps({"source_record_id": rec["source_record_id"], "values": planted},
                                   ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
