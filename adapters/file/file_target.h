// The file target: appends each delivery as one NDJSON line to
// PATH/PREFIX-YYYYMMDDTHHMMSSZ-NNNNNN.ndjson.open, and renames the file to
// drop `.open` once it is complete (rotation or stop), so that readers only
// ever pick up whole `.ndjson` files.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "medgate/sdk/plugin.h"

namespace medgate::file_adapter {

struct FileTargetOptions {
  std::string path;
  std::string prefix = "records";
  std::uint64_t rotate_bytes = 64ull << 20;
  std::chrono::milliseconds rotate_interval = std::chrono::hours(1);
  bool fsync = true;  // fdatasync after every batch; flush() always syncs

  static sdk::OptionList declare();
  static sdk::Status validate(const sdk::PluginConfig& config);
  static FileTargetOptions from(const sdk::PluginConfig& config);  // config already validated
};

class FileTarget : public sdk::Target {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit FileTarget(FileTargetOptions options, Clock clock = &std::chrono::steady_clock::now);
  ~FileTarget() override;

  // Creates the directory and completes `.open` files a crash left behind:
  // their lines were reported delivered, so they are kept.
  sdk::Status start(sdk::TargetContext& ctx) override;
  std::vector<sdk::Outcome> deliver(const std::vector<sdk::Delivery>& batch) override;
  sdk::Status flush() override;
  void stop() override;

  // The open file's path without `.open`; empty when none is open.
  std::string current_file() const;

 private:
  sdk::Status open_next();
  sdk::Status append(const std::string& data);
  sdk::Status close_current();
  sdk::Status rotate_if_due();
  void log(sdk::LogLevel level, const std::string& message);

  FileTargetOptions options_;
  Clock clock_;
  sdk::TargetContext* ctx_ = nullptr;
  mutable std::mutex mutex_;
  int fd_ = -1;
  std::string final_path_;  // without `.open`
  std::uint64_t bytes_ = 0;
  std::chrono::steady_clock::time_point opened_at_{};
  std::uint64_t next_sequence_ = 0;
};

}  // namespace medgate::file_adapter
