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
//   address                [ADDRESS] each part below city level (address_parts.h)
// Values may be strings, integers or lists of them. A value starting or
// ending with a digit is not found inside a longer digit run.
#pragma once

#include <cstddef>
#include <cstdint>
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

  bool empty() const { return terms_.empty() && resident_id_.size == 0 && phone_keys_.empty(); }
  // Views into this object.
  OwnNumbers numbers() const;

  // Claims each occurrence in `text` that does not overlap what `found`
  // already holds, longer terms first.
  void find(std::string_view text, FoundSpans& found) const;

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
  };
  std::string_view view(Piece p) const { return std::string_view(text_).substr(p.at, p.size); }
  Piece store(std::string_view s);
  void add(std::string_view value, PiiKind kind, bool spaced = false, bool valid_utf8 = true);
  void add_name(std::string_view name);
  void add_phone(std::string_view phone);
  void add_resident_id(std::string_view id);
  std::size_t match_at(const Term& term, std::string_view text, std::size_t at) const;

  std::string text_;
  std::vector<Term> terms_;  // longest first
  Piece resident_id_;
  std::vector<Piece> phone_keys_;
};

}  // namespace medgate::pipeline::scrub
