// The members of a record's `subject` (raw identifiers, used inside the
// gateway only) as a mapper collects them, in the shape the identity stage
// and the token rules expect.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/value.h"

namespace medgate::profile_mapping {

// Identifier members of `subject` hold at most this many characters (input
// contract). Mappers refuse a longer value rather than cut it: a cut
// identifier would give another patient's token.
inline constexpr std::size_t kMaxIdentifierChars = 1024;

// Whether identifiers may be written to `subject.<member>` (a mapper's
// identifier table): a lowercase field name ([a-z][a-z0-9_]*, at most 64),
// not one of the typed members address and birth_date, not *_others (where
// further values of a member go) and not prior_* (a merge's prior identifiers).
bool is_identifier_member(std::string_view member);

class SubjectMembers {
 public:
  // identifier: the first value is the member, later distinct ones go to
  // <member>_others (the identity stage and patient.mrn_token take one value);
  // contact: one value, or a list of them (their tokens may be lists);
  // single: the first value only.
  enum class Kind { identifier, contact, single };

  // Adds `value` to member `name` unless the member already has it.
  void add(std::string name, Kind kind, std::string value);
  // Every value of `other`, in its order, as add() would; leaves `other` empty.
  void append(SubjectMembers&& other);
  bool has(std::string_view name) const;
  bool empty() const { return members_.empty(); }

  // The subject object; null when nothing was added. Leaves this empty.
  sdk::Value take();

 private:
  struct Member {
    std::string name;
    Kind kind;
    std::vector<std::string> values;
  };
  std::vector<Member> members_;
};

}  // namespace medgate::profile_mapping
