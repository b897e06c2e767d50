// The audit log's timer: it signs what was appended since the last signed
// entry, writes nothing when nothing is new, and stops at once (it waits on a
// condition variable, not a sleep).
#include "runtime/audit_checkpointer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "temp_dir.h"

namespace medgate::runtime {
namespace {
using namespace std::chrono_literals;

audit::AuditEntry entry() {
  static const std::string path = "subject.name", method = "drop";
  audit::AuditEntry e{"rec", "inbox", "out", "", "p", 1, {}};
  e.actions.push_back({&path, &method, nullptr, {}});
  return e;
}

// Polls `done` until it holds or `limit` passes: waits on a condition, not a fixed time.
template <typename F>
bool eventually(F done, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

TEST(AuditCheckpointer, SignsNewEntriesOnItsInterval) {
  testing::TempDir dir;
  audit::AuditChain chain(audit::AuditChainOptions{dir.path(), 1 << 20, 0, {}}, crypto::Ed25519Key::generate());
  ASSERT_TRUE(chain.open().ok());
  AuditCheckpointer timer(chain, 20ms);
  timer.start();
  ASSERT_TRUE(eventually([&] { return chain.unsigned_entries() == 0; }));  // the header
  const auto seq = chain.last_seq();
  ASSERT_TRUE(chain.append({entry(), entry()}, "2026-11-23T00:00:00.000Z").ok());
  ASSERT_TRUE(eventually([&] { return chain.unsigned_entries() == 0; }));
  EXPECT_EQ(chain.last_seq(), seq + 3);  // two records and one checkpoint
  timer.stop();
  EXPECT_EQ(chain.last_seq(), seq + 3);  // nothing new, nothing written
}

TEST(AuditCheckpointer, StopsAtOnce) {
  testing::TempDir dir;
  audit::AuditChain chain(audit::AuditChainOptions{dir.path(), 1 << 20, 0, {}}, crypto::Ed25519Key::generate());
  ASSERT_TRUE(chain.open().ok());
  AuditCheckpointer timer(chain, std::chrono::hours(1));
  timer.start();
  const auto began = std::chrono::steady_clock::now();
  timer.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - began, 1s);
  EXPECT_EQ(chain.unsigned_entries(), 1u);  // the header waits for the next checkpoint (here: close)
}

}  // namespace
}  // namespace medgate::runtime
