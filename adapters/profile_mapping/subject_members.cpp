#include "subject_members.h"

#include <algorithm>

namespace medgate::profile_mapping {

using sdk::Value;

bool is_identifier_member(std::string_view m) {
  if (m.empty() || m.size() > 64 || m[0] < 'a' || m[0] > 'z') return false;
  for (char c : m)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return m != "address" && m != "birth_date" && !m.ends_with("_others") && !m.starts_with("prior_");
}

void SubjectMembers::add(std::string name, Kind kind, std::string value) {
  auto m = std::find_if(members_.begin(), members_.end(), [&](const Member& x) { return x.name == name; });
  if (m == members_.end()) {
    members_.push_back({std::move(name), kind, {}});
    m = members_.end() - 1;
  }
  if (std::find(m->values.begin(), m->values.end(), value) == m->values.end()) m->values.push_back(std::move(value));
}

void SubjectMembers::append(SubjectMembers&& other) {
  for (Member& m : other.members_)
    for (std::string& v : m.values) add(m.name, m.kind, std::move(v));
  other.members_.clear();
}

bool SubjectMembers::has(std::string_view name) const {
  return std::any_of(members_.begin(), members_.end(), [&](const Member& m) { return m.name == name; });
}

Value SubjectMembers::take() {
  if (members_.empty()) return {};
  Value subject = Value::object();
  for (Member& m : members_) {
    std::vector<std::string>& v = m.values;
    if (v.size() == 1 || m.kind == Kind::single) {
      subject[m.name] = std::move(v.front());
      continue;
    }
    Value::Array list;
    auto from = m.kind == Kind::identifier ? v.begin() + 1 : v.begin();
    for (auto it = from; it != v.end(); ++it) list.emplace_back(std::move(*it));
    if (m.kind == Kind::identifier) {
      subject[m.name] = std::move(v.front());
      subject[m.name + "_others"] = Value(std::move(list));
    } else {
      subject[m.name] = Value(std::move(list));
    }
  }
  members_.clear();
  return subject;
}

}  // namespace medgate::profile_mapping
