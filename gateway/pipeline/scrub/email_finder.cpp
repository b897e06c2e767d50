#include "pipeline/scrub/email_finder.h"

#include <cstddef>

namespace medgate::pipeline::scrub {
namespace {
bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_local_char(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}
bool is_domain_char(char c) {
  return is_alnum(c) || c == '.' || c == '-';
}

// Byte length of "@" or "＠" (EF BC A0) at `i`, 0 if none.
std::size_t at_sign(std::string_view s, std::size_t i) {
  if (s[i] == '@') return 1;
  if (s[i] == '\xEF' && i + 2 < s.size() && s[i + 1] == '\xBC' && s[i + 2] == '\xA0') return 3;
  return 0;
}

// The longest prefix of `run` (letters, digits, dots, hyphens) that is a
// domain: whole labels, at least two, none empty or starting or ending with a
// hyphen, the last starting with two letters. 0 if there is none. Taking the
// longest such prefix, rather than all of `run` or nothing, keeps the result
// the same when what follows is replaced later ("a@b.cn.13812345678").
std::size_t domain_length(std::string_view run) {
  std::size_t best = 0, at = 0;
  for (std::size_t labels = 1;; ++labels) {
    std::size_t dot = run.find('.', at);
    std::size_t end = dot == std::string_view::npos ? run.size() : dot;
    std::string_view label = run.substr(at, end - at);
    std::size_t kept = label.find_last_not_of('-') + 1;  // trailing hyphens end the domain ("b.cn-")
    if (kept == 0 || label.front() == '-') break;
    if (labels >= 2 && kept >= 2 && is_alpha(label[0]) && is_alpha(label[1])) best = at + kept;
    if (kept != label.size() || dot == std::string_view::npos) break;
    at = dot + 1;
  }
  return best;
}
}  // namespace

void find_emails(std::string_view text, FoundSpans& found) {
  std::size_t floor = 0;  // an address never reaches back into the previous one
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t at = at_sign(text, i);
    if (at == 0) continue;
    std::size_t begin = i;
    while (begin > floor && is_local_char(text[begin - 1])) --begin;
    while (begin < i && text[begin] == '.') ++begin;
    std::size_t run_end = i + at;
    while (run_end < text.size() && is_domain_char(text[run_end])) ++run_end;
    std::size_t end = i + at + domain_length(text.substr(i + at, run_end - i - at));
    if (begin < i && end > i + at && found.claim(begin, end, PiiKind::email)) {
      floor = end;
      i = end - 1;
    } else {
      i += at - 1;
    }
  }
}

}  // namespace medgate::pipeline::scrub
