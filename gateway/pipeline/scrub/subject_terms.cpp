#include "pipeline/scrub/subject_terms.h"

#include <algorithm>

#include "pipeline/scrub/address_parts.h"
#include "pipeline/scrub/phone_numbers.h"
#include "pipeline/scrub/utf8_text.h"

namespace medgate::pipeline::scrub {
namespace {
using namespace std::string_view_literals;

constexpr std::size_t npos = std::string_view::npos;
constexpr std::size_t kMaxSpacesBetween = 3;  // between two characters of a name

// Two-character surnames; any other name starts with a one-character one.
constexpr char32_t kCompoundSurnames[][2] = {
    {U'欧', U'阳'}, {U'司', U'马'}, {U'上', U'官'}, {U'诸', U'葛'}, {U'东', U'方'}, {U'皇', U'甫'},
    {U'尉', U'迟'}, {U'公', U'孙'}, {U'慕', U'容'}, {U'长', U'孙'}, {U'宇', U'文'}, {U'司', U'徒'},
    {U'令', U'狐'}, {U'夏', U'侯'}, {U'轩', U'辕'}, {U'端', U'木'}, {U'独', U'孤'}, {U'南', U'宫'},
    {U'西', U'门'}, {U'百', U'里'}, {U'呼', U'延'}, {U'澹', U'台'}, {U'万', U'俟'}, {U'闻', U'人'},
    {U'申', U'屠'}, {U'太', U'史'}, {U'钟', U'离'}, {U'赫', U'连'}, {U'第', U'五'}};

std::string_view trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// Each string or integer of a member, directly or in a list; trimmed.
template <typename F>
void for_each_value(const sdk::Value& v, F&& f) {
  auto one = [&](const sdk::Value& e) {
    if (e.is_string()) {
      f(trim(e.as_string()));
    } else if (e.is_int()) {
      std::string s = std::to_string(e.as_int());
      f(std::string_view(s));
    }
  };
  if (v.is_array())
    for (const auto& e : v.as_array()) one(e);
  else
    one(v);
}

bool digit_before(std::string_view s, std::size_t at) {
  std::size_t len;
  if (at >= 1 && digit_at(s, at - 1, len) >= 0 && len == 1) return true;
  return at >= 3 && digit_at(s, at - 3, len) >= 0 && len == 3;
}

bool digit_starting(std::string_view s, std::size_t at) {
  std::size_t len;
  return at < s.size() && digit_at(s, at, len) >= 0;
}

bool has_ascii_letter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

// ASCII digits of `s` (full-width ones converted), nothing else, into `out`.
void append_digits(std::string_view s, std::string& out) {
  for (std::size_t i = 0, len = 0; i < s.size(); i += len) {
    int d = digit_at(s, i, len);
    if (d >= 0)
      out.push_back(static_cast<char>('0' + d));
    else
      len = 1;
  }
}
}  // namespace

SubjectTerms::SubjectTerms(const sdk::Value* subject) {
  if (!subject || !subject->is_object()) return;
  text_.reserve(256);
  terms_.reserve(16);
  for (const auto& [member, value] : subject->as_object()) {
    std::string_view key = member;
    // Further values of a member (<member>_others, e.g. a second phone) and
    // the identifiers a merge retired (prior_<member>[_others]) are the
    // patient's too; those of the next of kin (kin_<member>) are a person a
    // note may name beside the patient.
    if (key.ends_with("_others"sv)) key.remove_suffix("_others"sv.size());
    if (key.starts_with("prior_"sv)) key.remove_prefix("prior_"sv.size());
    else if (key.starts_with("kin_"sv)) key.remove_prefix("kin_"sv.size());
    if (key == "name"sv) {
      for_each_value(value, [&](std::string_view v) { add_name(v); });
    } else if (key == "resident_id"sv) {
      for_each_value(value, [&](std::string_view v) { add_resident_id(v); });
    } else if (key == "wechat_openid"sv || key == "wechat_unionid"sv) {
      for_each_value(value, [&](std::string_view v) {
        if (v.size() >= 6) add(v, PiiKind::id, false, is_valid_utf8(v));
      });
    } else if (key == "phone"sv) {
      for_each_value(value, [&](std::string_view v) { add_phone(v); });
    } else if (key == "mrn"sv) {
      for_each_value(value, [&](std::string_view v) {
        if (v.size() < 4) return;
        add(v, PiiKind::mrn, false, is_valid_utf8(v));
        std::size_t tail = v.size();
        while (tail > 0 && v[tail - 1] >= '0' && v[tail - 1] <= '9') --tail;
        if (tail > 0 && v.size() - tail >= 6) add(v.substr(tail), PiiKind::mrn);
      });
    } else if (key == "email"sv) {
      for_each_value(value, [&](std::string_view v) {
        if (v.size() >= 3 && v.find('@') != npos) add(v, PiiKind::email, false, is_valid_utf8(v));
      });
    } else if (key == "address"sv) {
      for_each_value(value, [&](std::string_view v) {
        if (v.empty() || v.size() > UINT32_MAX / 4) return;
        addresses_.push_back(Address{store(v), next_order_++ << 5});
      });
    }
  }
}

SubjectTerms::Piece SubjectTerms::store(std::string_view s) {
  Piece p{static_cast<std::uint32_t>(text_.size()), static_cast<std::uint32_t>(s.size())};
  text_.append(s);
  return p;
}

void SubjectTerms::add(std::string_view value, PiiKind kind, bool spaced, bool valid_utf8) {
  if (value.empty() || value.size() > UINT32_MAX / 4) return;
  const std::uint32_t order = next_order_++ << 5;
  for (const Term& t : terms_)
    if (view(t.piece) == value) return;
  // Longest first (and in the order added among equals): "王小明" before "小明".
  const Term term{store(value), kind, spaced, valid_utf8, order};
  terms_.insert(std::upper_bound(terms_.begin(), terms_.end(), term, before), term);
}

// A one-character name or given name would match ordinary words, so neither
// is looked for alone.
void SubjectTerms::add_name(std::string_view name) {
  if (has_ascii_letter(name)) {
    if (utf8_char_count(name) >= 2) add(name, PiiKind::name, false, is_valid_utf8(name));
    return;
  }
  std::string compact;  // without white space: matching allows it between any two characters
  for (std::size_t i = 0; i < name.size();) {
    std::size_t n = space_at(name, i);
    if (n == 0) {
      n = utf8_char_length(name, i);
      compact.append(name.substr(i, n));
    }
    i += n;
  }
  std::size_t chars = utf8_char_count(compact);
  if (chars < 2) return;
  bool valid = is_valid_utf8(compact);
  add(compact, PiiKind::name, true, valid);
  std::size_t len1, len2;
  char32_t c1 = code_point_at(compact, 0, len1), c2 = code_point_at(compact, len1, len2);
  bool compound = std::any_of(std::begin(kCompoundSurnames), std::end(kCompoundSurnames),
                              [&](const char32_t(&s)[2]) { return s[0] == c1 && s[1] == c2; });
  if (chars < (compound ? 4u : 3u)) return;
  std::size_t given_at = compound ? len1 + len2 : len1;
  add(std::string_view(compact).substr(given_at), PiiKind::name, true, valid);
}

void SubjectTerms::add_resident_id(std::string_view v) {
  if (v.size() < 15) return;
  add(v, PiiKind::id, false, is_valid_utf8(v));
  std::string id;
  append_digits(v, id);
  if (v.back() == 'x' || v.back() == 'X') id.push_back('X');
  if (id.size() == 15 || id.size() == 18) resident_id_ = store(id);
}

void SubjectTerms::add_phone(std::string_view v) {
  std::string digits;
  append_digits(v, digits);
  if (digits.size() < 7) return;
  add(v, PiiKind::phone, false, is_valid_utf8(v));
  if (phone_keys_.size() + 2 > OwnNumbers::kMaxPhoneKeys) return;
  bool plus = !v.empty() && (v.front() == '+' || v.substr(0, 3) == "＋");
  std::string_view national = china_national_number(plus, digits);
  if (!national.empty()) phone_keys_.push_back(store(national));
  phone_keys_.push_back(store(digits));
}

OwnNumbers SubjectTerms::numbers() const {
  OwnNumbers own;
  own.resident_id = view(resident_id_);
  for (Piece p : phone_keys_) own.phone_keys[own.phone_key_count++] = view(p);
  return own;
}

// The end of an occurrence of `term` at `at`, or npos.
std::size_t SubjectTerms::match_at(const Term& term, std::string_view text, std::size_t at) const {
  std::string_view t = view(term.piece);
  std::size_t end;
  if (text.compare(at, t.size(), t) == 0) {
    end = at + t.size();
  } else if (term.spaced) {
    end = at;
    for (std::size_t k = 0; k < t.size();) {
      std::size_t n = utf8_char_length(t, k);
      std::string_view c = t.substr(k, n);
      std::size_t p = end, spaces = 0;
      if (k > 0)
        for (std::size_t s; spaces < kMaxSpacesBetween && p < text.size() && (s = space_at(text, p)) != 0; p += s)
          ++spaces;
      if (text.compare(p, n, c) != 0) return npos;
      end = p + n;
      k += n;
    }
  } else {
    return npos;
  }
  // Never inside a longer digit run. A valid term always starts and ends on
  // character boundaries of the text; a broken one (an invalid subject value)
  // must be checked.
  if (digit_starting(t, 0) && digit_before(text, at)) return npos;
  if (digit_before(t, t.size()) && digit_starting(text, end)) return npos;
  if (!term.valid_utf8 && (is_utf8_continuation(static_cast<unsigned char>(text[at])) ||
                           (end < text.size() && is_utf8_continuation(static_cast<unsigned char>(text[end])))))
    return npos;
  return end;
}

std::vector<SubjectTerms::Term> SubjectTerms::with_address_parts() const {
  std::vector<Term> all = terms_;
  for (const Address& address : addresses_) {
    const std::string_view value = view(address.value);
    const bool valid = is_valid_utf8(value);  // then so is each part
    std::uint32_t part_order = address.order;
    for (std::string_view part : address_parts_below_city(value)) {
      const Term term{Piece{static_cast<std::uint32_t>(address.value.at + (part.data() - value.data())),
                            static_cast<std::uint32_t>(part.size())},
                      PiiKind::address, false, valid || is_valid_utf8(part), part_order++};
      // Of two equal terms the one added first stays, whichever kind it is.
      auto same = std::find_if(all.begin(), all.end(), [&](const Term& t) { return view(t.piece) == part; });
      if (same != all.end()) {
        if (same->order < term.order) continue;
        all.erase(same);
      }
      all.insert(std::upper_bound(all.begin(), all.end(), term, before), term);
    }
  }
  return all;
}

void SubjectTerms::find(std::string_view text, bool may_hold_address, FoundSpans& found) const {
  if (addresses_.empty() || !may_hold_address) {
    find_terms(terms_, text, found);
    return;
  }
  std::call_once(merged_once_, [this] { merged_ = with_address_parts(); });
  find_terms(merged_, text, found);
}

void SubjectTerms::find_terms(const std::vector<Term>& terms, std::string_view text, FoundSpans& found) const {
  for (const Term& term : terms) {
    std::string_view t = view(term.piece);
    std::string_view first = term.spaced ? t.substr(0, utf8_char_length(t, 0)) : t;
    for (std::size_t at = text.find(first); at != npos; at = text.find(first, at + 1)) {
      std::size_t end = match_at(term, text, at);
      if (end != npos && found.claim(at, end, term.kind)) at = end - 1;
    }
  }
}

}  // namespace medgate::pipeline::scrub
