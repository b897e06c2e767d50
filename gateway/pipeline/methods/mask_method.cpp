// mask: shows the first `keep_first` and last `keep_last` characters and
// replaces the rest with '*' (mobile 138****5678, name 王*明); at least one
// character is always masked. `surname_only: true` writes the family name
// alone (王, 欧阳) for salutations such as "王女士".
#include <algorithm>
#include <array>

#include "pipeline/methods/builtin_methods.h"
#include "pipeline/methods/method_params.h"
#include "pipeline/patient_identifier.h"

namespace medgate::pipeline::methods {
namespace {
// Two-character (compound) family names in use today; all others are one character.
constexpr std::array<std::string_view, 32> kCompoundSurnames = {
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
    "司徒", "司空", "夏侯", "轩辕", "令狐", "端木", "独孤", "南宫", "西门", "百里", "呼延",
    "澹台", "公冶", "钟离", "闻人", "赫连", "万俟", "申屠", "太史", "濮阳", "东郭"};

std::string surname_of(std::string_view name) {
  auto cps = code_points(name);
  if (cps.empty()) return {};
  if (cps.front().size() == 1) {  // a romanised name: "Zhang Wei" -> "Zhang"
    return std::string(name.substr(0, name.find(' ')));
  }
  if (cps.size() >= 3)
    for (auto c : kCompoundSurnames)
      if (name.substr(0, c.size()) == c) return std::string(c);
  return std::string(cps.front());
}

class MaskMethod : public FieldMethod {
 public:
  MaskMethod(std::size_t first, std::size_t last, bool surname_only)
      : first_(first), last_(last), surname_only_(surname_only) {}
  void apply(const sdk::Value& in, const RecordContext&, sdk::Value& out, FieldAction&) const override {
    std::string text = identifier_text(in);
    if (text.empty()) return;
    if (surname_only_) {
      // A one-character "name" is all surname: nothing would be hidden.
      std::string surname = surname_of(text);
      if (surname.size() < text.size()) out = surname;
      return;
    }
    auto cps = code_points(text);
    std::string masked;
    for (std::size_t i = 0; i < cps.size(); ++i) {
      bool show = (i < first_ || i + last_ >= cps.size()) && cps.size() > first_ + last_;
      if (show) masked.append(cps[i]);
      else masked.push_back('*');
    }
    out = masked;
  }

 private:
  std::size_t first_, last_;
  bool surname_only_;
};
}  // namespace

sdk::Status make_mask(const config::PolicyRule& rule, const MethodEnv&, std::unique_ptr<FieldMethod>& out) {
  Params p(rule, {"keep_first", "keep_last", "surname_only"});
  std::int64_t first, last;
  bool surname_only;
  if (auto s = p.check_unknown(); !s.ok()) return s;
  if (auto s = p.integer("keep_first", 1, 0, 8, first); !s.ok()) return s;
  if (auto s = p.integer("keep_last", 0, 0, 8, last); !s.ok()) return s;
  if (auto s = p.boolean("surname_only", false, surname_only); !s.ok()) return s;
  if (surname_only && (p.raw("keep_first") || p.raw("keep_last")))
    return sdk::Status::Invalid("parameter 'surname_only' cannot be combined with keep_first/keep_last");
  out = std::make_unique<MaskMethod>(static_cast<std::size_t>(first), static_cast<std::size_t>(last), surname_only);
  return sdk::Status::Ok();
}

}  // namespace medgate::pipeline::methods
