#include "pipeline/patient_links.h"

#include <fstream>

#include "spool/durable_file.h"

namespace medgate::pipeline {
namespace {
constexpr int kMaxHops = 64;  // chains longer than this are not followed further

bool is_token(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}
}  // namespace

sdk::Status PatientLinks::open() {
  std::unique_lock lock(mu_);
  next_.clear();
  std::ifstream in(path_);
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    auto space = line.find(' ');
    std::string prior = line.substr(0, space), surviving = space == std::string::npos ? "" : line.substr(space + 1);
    if (!is_token(prior) || !is_token(surviving)) {
      // A last line cut short by a crash was never acknowledged: ignore it.
      if (in.peek() == std::char_traits<char>::eof()) break;
      return sdk::Status::Invalid(path_ + ":" + std::to_string(n) + ": not a 'prior surviving' token pair");
    }
    next_[prior] = surviving;
  }
  return sdk::Status::Ok();
}

std::string PatientLinks::resolve_locked(const std::string& token) const {
  const std::string* cur = &token;
  for (int hop = 0; hop < kMaxHops; ++hop) {
    auto it = next_.find(*cur);
    if (it == next_.end()) break;
    cur = &it->second;
  }
  return *cur;
}

std::string PatientLinks::resolve(const std::string& token) const {
  std::shared_lock lock(mu_);
  if (next_.empty()) return token;
  return resolve_locked(token);
}

sdk::Status PatientLinks::link(const std::string& prior, const std::string& surviving) {
  if (!is_token(prior) || !is_token(surviving)) return sdk::Status::Invalid("patient link: not a token");
  std::unique_lock lock(mu_);
  const std::string from = resolve_locked(prior), to = resolve_locked(surviving);
  if (from == to) return sdk::Status::Ok();
  // `to` never resolves through `from` here (else both would resolve alike),
  // so linking the end of prior's chain to `to` cannot close a cycle.
  if (sdk::Status s = spool::append_durable(path_, from + " " + to + "\n"); !s.ok()) return s;
  next_[from] = to;
  return sdk::Status::Ok();
}

std::size_t PatientLinks::size() const {
  std::shared_lock lock(mu_);
  return next_.size();
}

}  // namespace medgate::pipeline
