#include "pipeline/scrub/number_finder.h"

#include <algorithm>
#include <initializer_list>
#include <string>

#include "pipeline/scrub/check_digits.h"
#include "pipeline/scrub/phone_numbers.h"
#include "pipeline/scrub/utf8_text.h"

namespace medgate::pipeline::scrub {
namespace {

constexpr std::size_t kMaxDigits = 19;     // the longest number of any kind (a card)
constexpr std::size_t kMinDigits = 7;      // the shortest (a phone number)
constexpr std::size_t kMaxSeparators = 3;  // between two groups, e.g. ") - "

enum class Sep { space, hyphen, dot, open, close, plus };

struct SeparatorForm {
  std::string_view bytes;
  Sep kind;
};
constexpr SeparatorForm kSeparators[] = {{"-", Sep::hyphen}, {".", Sep::dot},    {"(", Sep::open},
                                         {")", Sep::close},  {"+", Sep::plus},   {"－", Sep::hyphen},
                                         {"‐", Sep::hyphen}, {"–", Sep::hyphen}, {"（", Sep::open},
                                         {"）", Sep::close}, {"＋", Sep::plus}};

bool has_at(std::string_view s, std::size_t i, std::size_t end, std::string_view what) {
  return i + what.size() <= end && s.compare(i, what.size(), what) == 0;
}

// Byte length of a separator at `i` (0 if none) and its kind.
std::size_t separator_at(std::string_view s, std::size_t i, std::size_t end, Sep& kind) {
  if (std::size_t n = space_at(s, i); n != 0 && i + n <= end) {
    kind = Sep::space;
    return n;
  }
  for (const SeparatorForm& f : kSeparators)
    if (has_at(s, i, end, f.bytes)) {
      kind = f.kind;
      return f.bytes.size();
    }
  return 0;
}

// Byte length of a check letter X at `i`: X, x, Ｘ, ｘ.
std::size_t check_letter_at(std::string_view s, std::size_t i, std::size_t end) {
  for (std::string_view x : {"X", "x", "Ｘ", "ｘ"})
    if (has_at(s, i, end, x)) return x.size();
  return 0;
}

struct Group {
  std::size_t begin = 0, end = 0;    // bytes: the first digit, one past the last
  std::size_t first = 0, count = 0;  // its digits in the segment's digit buffer
  std::size_t letter_end = 0;        // one past a check letter X right after it, 0 if none
  std::size_t plus_at = 0;           // where the "+" right before it is, if `plus`
  std::size_t paren_at = 0;          // where the "(" right before it (or its "+") is, if `open_paren`
  bool plus = false;
  bool open_paren = false;
  // The gap to the next group, when that group continues the same run:
  bool joined = false;
  bool gap_plain = false;    // exactly one space or hyphen (card groups)
  bool gap_dashes = false;   // spaces and hyphens only (ID groups)
  bool gap_closing = false;  // holds a ")"
};

class SegmentScanner {
 public:
  SegmentScanner(std::string_view text, const OwnNumbers& own, std::vector<FoundSpan>& hits)
      : text_(text), own_(own), hits_(hits) {}

  void scan(std::size_t begin, std::size_t end) {
    groups_.clear();
    digits_.clear();
    collect_groups(begin, end);
    for (std::size_t first = 0; first < groups_.size();) {
      std::size_t last = first;
      while (groups_[last].joined) ++last;
      scan_run(first, last);
      first = last + 1;
    }
  }

 private:
  void collect_groups(std::size_t begin, std::size_t end) {
    std::size_t i = begin;
    while (i < end) {
      std::size_t len;
      if (digit_at(text_, i, len) < 0 || i + len > end) {
        ++i;
        continue;
      }
      Group g;
      g.begin = i;
      g.first = digits_.size();
      int d;
      while (i < end && (d = digit_at(text_, i, len)) >= 0 && i + len <= end) {
        digits_.push_back(static_cast<char>('0' + d));
        i += len;
      }
      g.end = i;
      g.count = digits_.size() - g.first;
      set_lead(g, begin);
      if (std::size_t x = check_letter_at(text_, i, end)) {
        g.letter_end = i + x;
        i += x;
      } else {
        read_gap(g, end);
      }
      groups_.push_back(g);
    }
  }

  // "(", "+" or "(+" written right before the group's first digit.
  void set_lead(Group& g, std::size_t floor) const {
    std::size_t p = g.begin;
    Sep kind;
    auto separator_before = [&](Sep wanted) {
      for (std::size_t n : {std::size_t{1}, std::size_t{3}})
        if (p >= floor + n && separator_at(text_, p - n, p, kind) == n && kind == wanted) {
          p -= n;
          return true;
        }
      return false;
    };
    if ((g.plus = separator_before(Sep::plus))) g.plus_at = p;
    if ((g.open_paren = separator_before(Sep::open))) g.paren_at = p;
  }

  // The separators after a group; the next group joins the run when they are
  // at most kMaxSeparators and none is a "+" (which starts a new number).
  void read_gap(Group& g, std::size_t end) {
    std::size_t i = g.end, n = 0, len;
    bool dashes = true, closing = false;
    Sep kind;
    while (i < end && n < kMaxSeparators && (len = separator_at(text_, i, end, kind)) > 0) {
      if (kind == Sep::plus) return;
      dashes = dashes && (kind == Sep::space || kind == Sep::hyphen);
      closing = closing || kind == Sep::close;
      i += len;
      ++n;
    }
    if (n == 0 || i >= end || digit_at(text_, i, len) < 0) return;
    g.joined = true;
    g.gap_dashes = dashes;
    g.gap_plain = dashes && n == 1;
    g.gap_closing = closing;
  }

  std::string_view digits(std::size_t g, std::size_t h) const {
    return std::string_view(digits_).substr(groups_[g].first, groups_[h].first + groups_[h].count - groups_[g].first);
  }

  // Group sizes g..h (the last counting `extra`, a check letter) equal to one of `patterns`.
  bool grouped_as(std::size_t g, std::size_t h, std::size_t extra,
                  std::initializer_list<std::initializer_list<std::size_t>> patterns) const {
    for (const auto& p : patterns) {
      if (p.size() != h - g + 1) continue;
      std::size_t k = g;
      bool same = true;
      for (std::size_t size : p) {
        if (groups_[k].count + (k == h ? extra : 0) != size) same = false;
        ++k;
      }
      if (same) return true;
    }
    return false;
  }

  bool gaps(std::size_t g, std::size_t h, bool Group::*flag) const {
    for (std::size_t k = g; k < h; ++k)
      if (!(groups_[k].*flag)) return false;
    return true;
  }

  // The end of a resident ID number in groups g..h, 0 if there is none.
  std::size_t resident_id_end(std::size_t g, std::size_t h) const {
    if (groups_[g].plus || !gaps(g, h, &Group::gap_dashes)) return 0;
    std::string_view d = digits(g, h);
    bool letter = d.size() == 17 && groups_[h].letter_end != 0;
    std::size_t end = letter ? groups_[h].letter_end : groups_[h].end;
    if (!own_.resident_id.empty() && own_.resident_id.size() == d.size() + (letter ? 1 : 0) &&
        own_.resident_id.substr(0, d.size()) == d && (!letter || own_.resident_id.back() == 'X'))
      return end;
    if (d.size() == 18 || letter) {
      if (!grouped_as(g, h, letter ? 1 : 0, {{18}, {6, 8, 4}, {6, 4, 4, 4}, {4, 4, 4, 4, 2}, {6, 6, 6}, {6, 12}}))
        return 0;
      char check = letter ? 'X' : d[17];
      return resident_id_check_digit(d.substr(0, 17)) == check ? end : 0;
    }
    if (d.size() == 15 && grouped_as(g, h, 0, {{15}, {6, 6, 3}, {6, 9}}) && is_valid_legacy_resident_id(d))
      return groups_[h].end;
    return 0;
  }

  bool is_phone(std::size_t g, std::size_t h) const {
    std::string_view d = digits(g, h);
    bool plus = groups_[g].plus;
    std::string_view national = china_national_number(plus, d);
    for (std::size_t k = 0; k < own_.phone_key_count; ++k)
      if ((!national.empty() && own_.phone_keys[k] == national) || own_.phone_keys[k] == d) return true;
    if (is_valid_phone_number(plus, d)) return true;
    // Not valid by the metadata but possible, with a trunk 0 or +86: a phone
    // number when it is the whole run of digit groups (not the tail of a
    // longer number such as a mistyped card number).
    // A placeholder right beside it means it was part of a longer run that an
    // earlier pass replaced in part: not whole (keeps scrubbing idempotent).
    bool whole_run = (g == 0 || !groups_[g - 1].joined) && !groups_[h].joined && !beside_placeholder(g, h);
    return whole_run && is_possible_prefixed_phone_number(plus, d);
  }

  // Whether "]" ends right before groups g..h or "[" starts right after them,
  // with only separators between.
  bool beside_placeholder(std::size_t g, std::size_t h) const {
    Sep kind;
    std::size_t i = groups_[h].letter_end ? groups_[h].letter_end : groups_[h].end;
    for (int k = 0, n; k < 8 && i < text_.size() && (n = static_cast<int>(separator_at(text_, i, text_.size(), kind))) > 0;
         ++k)
      i += n;
    if (i < text_.size() && text_[i] == '[') return true;
    const Group& first = groups_[g];
    std::size_t p = first.open_paren ? first.paren_at : first.plus ? first.plus_at : first.begin;
    for (int k = 0; k < 8; ++k) {
      bool moved = false;
      for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{3}})
        if (p >= n && separator_at(text_, p - n, p, kind) == n) {
          p -= n;
          moved = true;
          break;
        }
      if (!moved) break;
    }
    return p > 0 && text_[p - 1] == ']';
  }

  bool is_card(std::size_t g, std::size_t h) const {
    if (groups_[g].plus) return false;
    std::string_view d = digits(g, h);
    if (d.size() < 13 || d.size() > 19 || !passes_luhn(d)) return false;
    if (g == h) return true;
    if (!gaps(g, h, &Group::gap_plain)) return false;
    if (grouped_as(g, h, 0, {{4, 6, 5}, {4, 6, 4}})) return true;
    for (std::size_t k = g; k < h; ++k)
      if (groups_[k].count != 4) return false;
    return groups_[h].count <= 4;
  }

  // Where a phone number in groups g..h starts: its "+", and an opening
  // parenthesis when the matching ")" is inside the number ("(0755)2612 3456",
  // "(+86)138..."); "(13812345678)" keeps both of its own.
  std::size_t number_begin(std::size_t g, std::size_t h) const {
    const Group& first = groups_[g];
    bool closed_inside = false;
    for (std::size_t k = g; k < h; ++k) closed_inside = closed_inside || groups_[k].gap_closing;
    if (first.open_paren && closed_inside) return first.paren_at;
    return first.plus ? first.plus_at : first.begin;
  }

  void scan_run(std::size_t first, std::size_t last) {
    if (digits(first, last).size() < kMinDigits) return;
    for (std::size_t g = first; g <= last;) {
      // The groups a candidate starting at g may span: at most kMaxDigits digits.
      std::size_t max_h = g;
      while (max_h < last && digits(g, max_h + 1).size() <= kMaxDigits) ++max_h;
      std::size_t taken = take_longest(g, max_h);
      g = taken == kNone ? g + 1 : taken + 1;
    }
  }

  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  // The kinds in priority order, each its longest match from g; the last group taken.
  std::size_t take_longest(std::size_t g, std::size_t max_h) {
    for (std::size_t h = max_h + 1; h-- > g;) {
      if (std::size_t end = resident_id_end(g, h)) return take(h, groups_[g].begin, end, PiiKind::id);
    }
    for (std::size_t h = max_h + 1; h-- > g;) {
      std::size_t n = digits(g, h).size();
      if (n >= kMinDigits && n <= 17 && is_phone(g, h))
        return take(h, number_begin(g, h), groups_[h].end, PiiKind::phone);
    }
    for (std::size_t h = max_h + 1; h-- > g;) {
      if (is_card(g, h)) return take(h, groups_[g].begin, groups_[h].end, PiiKind::card);
    }
    return kNone;
  }

  std::size_t take(std::size_t h, std::size_t begin, std::size_t end, PiiKind kind) {
    hits_.push_back(FoundSpan{begin, end, kind});
    return h;
  }

  std::string_view text_;
  const OwnNumbers& own_;
  std::vector<FoundSpan>& hits_;
  std::vector<Group> groups_;
  std::string digits_;
};

}  // namespace

void find_numbers(std::string_view text, const OwnNumbers& own, FoundSpans& found) {
  std::vector<FoundSpan> hits;
  SegmentScanner scanner(text, own, hits);
  std::size_t at = 0;
  for (const FoundSpan& s : found.spans()) {
    if (s.begin > at) scanner.scan(at, s.begin);
    at = s.end;
  }
  if (at < text.size()) scanner.scan(at, text.size());
  for (const FoundSpan& h : hits) found.claim(h.begin, h.end, h.kind);
}

}  // namespace medgate::pipeline::scrub
