#include "pipeline/methods/civil_date.h"

#include <charconv>
#include <cstdio>

namespace medgate::pipeline::methods {
namespace {
bool number(std::string_view s, std::size_t at, std::size_t n, int& v) {
  auto r = std::from_chars(s.data() + at, s.data() + at + n, v);
  return r.ec == std::errc() && r.ptr == s.data() + at + n;
}
}  // namespace

std::optional<std::chrono::year_month_day> leading_date(std::string_view s) {
  int y, m, d;
  if (s.size() < 10 || s[4] != '-' || s[7] != '-' || (s.size() > 10 && s[10] != 'T' && s[10] != ' ')) return {};
  if (!number(s, 0, 4, y) || !number(s, 5, 2, m) || !number(s, 8, 2, d)) return {};
  std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return {};
  return ymd;
}

std::string shift_leading_date(std::string_view text, int days) {
  std::chrono::year_month_day ymd = *leading_date(text);
  std::chrono::year_month_day moved{std::chrono::sys_days{ymd} + std::chrono::days{days}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(moved.year()),
                static_cast<unsigned>(moved.month()), static_cast<unsigned>(moved.day()));
  std::string out(buf);
  out.append(text.substr(10));
  return out;
}

int age_on(std::chrono::year_month_day birth, std::chrono::year_month_day at) {
  int age = static_cast<int>(at.year()) - static_cast<int>(birth.year());
  if (std::chrono::month_day{at.month(), at.day()} < std::chrono::month_day{birth.month(), birth.day()}) --age;
  return age;
}

}  // namespace medgate::pipeline::methods
