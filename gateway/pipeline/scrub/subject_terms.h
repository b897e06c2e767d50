// The record's own identifiers, read from its `subject`, and where they occur
// in free text. Which members, and how each is looked for:
//   name                   [NAME]    the full name; a Chinese name also with white
//                                    space between its characters (王 小 明), and its
//                                    given name alone when that has two or more
//                                    characters (王小明 -> 小明, 欧阳小明 -> 小明)
//   resident_id            [ID]      as written; and in any grouping (number_finder.h)
//   wechat_openid, _unionid [ID]     as written
//   phone                  [PHONE]   as written; and its digits in any written form
//                                    (number_finder.h: +86, 0086, trunk 0, groups, full-width)
//   mrn                    [MRN]     as written; and its trailing digits alone when it
//                                    has a prefix and six or more of them (MRN84541427)
//   email                  [EMAIL]   as written
//   address                [ADDRESS] each part below city level (address_parts.h);
//                                    worked out only for a text that may hold one
//                                    (may_hold_address_part), exactly as if it had
//                                    been worked out here
// Values may be strings, integers or lists of them. A value starting or
// ending with a digit is not found inside a longer digit run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "medgate/sdk/value.h"
#include "pipeline/scrub/found_spans.h"
#include "pipeline/scrub/number_finder.h"

namespace medgate::pipeline::scrub {

class SubjectTerms {
 public:
  explicit SubjectTerms(const sdk::Value* subject);

  bool empty() const {
    return terms_.empty() && addresses_.empty() && resident_id_.size == 0 && phone_keys_.empty();
  }
  // Views into this object.
  OwnNumbers numbers() const;

  // Claims each occurrence in `text` that does not overlap what `found`
  // already holds, longer terms first. `may_hold_address` is
  // may_hold_address_part(text), which the caller has found out already.
  void find(std::string_view text, bool may_hold_address, FoundSpans& found) const;

 private:
  // A piece of text_ (the values are copied there, one allocation or two).
  struct Piece {
    std::uint32_t at = 0, size = 0;
  };
  struct Term {
    Piece piece;
    PiiKind kind;
    bool spaced;      // white space allowed between its characters
    bool valid_utf8;  // if not, a match must not cut a character of the text
    // The order the terms were added in: among equal terms the first kind
    // wins, among terms of one length the first added is looked for first.
    // An address's parts are added as one step: (step << 5) | part.
    std::uint32_t order;
  };
  // An address whose parts are worked out when a text may hold one.
  struct Address {
    Piece value;
    std::uint32_t order;  // of its first part
  };
  static bool before(const Term& a, const Term& b) {
    return a.piece.size != b.piece.size ? a.piece.size > b.piece.size : a.order < b.order;
  }
  std::string_view view(Piece p) const { return std::string_view(text_).substr(p.at, p.size); }
  Piece store(std::string_view s);
  void add(std::string_view value, PiiKind kind, bool spaced = false, bool valid_utf8 = true);
  void add_name(std::string_view name);
  void add_phone(std::string_view phone);
  void add_resident_id(std::string_view id);
  std::size_t match_at(const Term& term, std::string_view text, std::size_t at) const;
  // terms_ with the parts of addresses_ merged in, as add() would have.
  std::vector<Term> with_address_parts() const;
  void find_terms(const std::vector<Term>& terms, std::string_view text, FoundSpans& found) const;

  std::string text_;
  std::vector<Term> terms_;  // longest first (before())
  std::vector<Address> addresses_;
  std::uint32_t next_order_ = 0;
  // with_address_parts(), worked out by the first text that may hold a part
  // (on whichever thread; scrubbing is const and may run on several at once).
  mutable std::once_flag merged_once_;
  mutable std::vector<Term> merged_;
  Piece resident_id_;
  std::vector<Piece> phone_keys_;
};

}  // namespace medgate::pipeline::scrub
