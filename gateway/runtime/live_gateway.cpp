#include "runtime/live_gateway.h"

#include <cstdlib>
#include <sstream>

#include "runtime/log.h"

namespace medgate::runtime {
namespace {
std::vector<std::string> lines_of(const config::Diagnostics& diags) {
  std::ostringstream out;
  diags.print(out);
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

// Where and how the admin API listens, as set at start: a reload cannot
// change it (its certificate and key it can: AdminServer::reload_certificate).
std::string admin_endpoint(const config::AdminConfig& admin) {
  if (!admin.enabled) return "";
  return admin.listen + (admin.tls.enabled() ? " (TLS)" : "");
}
}  // namespace

std::unique_ptr<LiveGateway> LiveGateway::start(std::unique_ptr<plugin_host::PluginRegistry> registry,
                                                CheckedConfig checked, std::string& error) {
  std::unique_ptr<LiveGateway> live(new LiveGateway());
  live->config_path_ = checked.config_path;
  live->admin_listen_ = admin_endpoint(checked.config.admin);
  live->registry_ = std::move(registry);
  live->gateway_ = Gateway::create(std::move(checked), *live->registry_, error);
  if (!live->gateway_) return nullptr;
  live->gateway_->start();
  return live;
}

LiveGateway::~LiveGateway() {
  gateway_.reset();  // before registry_: no plugin object may outlive its library
}

std::vector<std::string> LiveGateway::stop(std::chrono::milliseconds drain_timeout) {
  std::lock_guard<std::mutex> serial(reload_mu_);
  stopped_ = true;
  std::shared_lock<std::shared_mutex> lock(mu_);  // the admin API keeps answering while it drains
  return gateway_->stop(drain_timeout);
}

std::vector<std::string> LiveGateway::summary() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->summary();
}

admin::ReloadReport LiveGateway::refuse(std::string message, std::vector<std::string> problems) {
  {
    std::unique_lock<std::shared_mutex> lock(mu_);
    ++reloads_refused_;
    last_reload_ok_ = false;
    last_reload_at_ = std::chrono::system_clock::now();
  }
  log(sdk::LogLevel::error, "reload", message);
  for (const auto& p : problems) log(sdk::LogLevel::error, "reload", p);
  if (hooks_.end) hooks_.end(nullptr);
  return {false, std::move(message), std::move(problems)};
}

admin::ReloadReport LiveGateway::reload() {
  std::lock_guard<std::mutex> serial(reload_mu_);
  if (stopped_) return {false, "medgated is stopping; nothing reloaded", {}};
  if (hooks_.begin) hooks_.begin();
  log(sdk::LogLevel::info, "reload", "reading " + config_path_);

  auto registry = std::make_unique<plugin_host::PluginRegistry>();
  config::Diagnostics diags;
  std::optional<CheckedConfig> next = check_config(config_path_, *registry, diags);
  if (!next) {
    auto problems = lines_of(diags);
    const std::size_t n = problems.size();
    std::string message =
        "the new config has " + std::to_string(n) + " problem" + (n == 1 ? "" : "s") + "; the running config stays";
    return refuse(std::move(message), std::move(problems));
  }
  const config::GatewayConfig& cur = gateway_->checked_config().config;
  if (next->config.state_dir != cur.state_dir)
    return refuse("state_dir changed from " + cur.state_dir + " to " + next->config.state_dir +
                  ": the spool, cursors and dead letters live there, so moving it needs a restart; the running "
                  "config stays");
  if (admin_endpoint(next->config.admin) != admin_listen_)
    log(sdk::LogLevel::warning, "reload",
        "admin.enabled or admin.listen changed, or admin.tls was turned on or off; the admin API keeps " +
            (admin_listen_.empty() ? std::string("off") : admin_listen_) + " until medgated restarts");
  return replace(std::move(registry), std::move(*next));
}

admin::ReloadReport LiveGateway::replace(std::unique_ptr<plugin_host::PluginRegistry> registry, CheckedConfig next) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  const auto began = std::chrono::steady_clock::now();
  std::vector<std::string> stuck = gateway_->stop(std::chrono::milliseconds(0));
  if (!stuck.empty()) {
    std::string names;
    for (const auto& n : stuck) names += (names.empty() ? "" : ", ") + n;
    log(sdk::LogLevel::error, "reload",
        "still inside plugin code: " + names + "; exiting so that the service manager restarts medgated "
        "(undelivered records stay spooled)");
    std::_Exit(3);  // their threads are inside plugin code: nothing may be destroyed
  }
  CheckedConfig previous = gateway_->take_config();
  gateway_.reset();

  std::string error;
  std::unique_ptr<Gateway> fresh = Gateway::create(std::move(next), *registry, error);
  if (!fresh) {
    std::string again_error;
    gateway_ = Gateway::create(std::move(previous), *registry_, again_error);
    if (!gateway_) {
      log(sdk::LogLevel::error, "reload",
          "the new config could not start (" + error + ") and the previous one cannot start again (" + again_error +
              "); exiting");
      std::_Exit(1);
    }
    gateway_->start();
    lock.unlock();
    return refuse("the new config could not start: " + error + "; the previous config runs again");
  }
  fresh->start();
  gateway_ = std::move(fresh);
  registry_ = std::move(registry);  // the old gateway is gone, so its libraries may go
  ++reloads_applied_;
  last_reload_ok_ = true;
  last_reload_at_ = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began);
  const config::GatewayConfig& applied = gateway_->checked_config().config;
  std::string message = "applied " + config_path_ + " (" + std::to_string(applied.sources.size()) + " sources, " +
                        std::to_string(applied.targets.size()) + " targets, " +
                        std::to_string(applied.routes.size()) + " routes; input paused " +
                        std::to_string(ms.count()) + " ms)";
  lock.unlock();
  log(sdk::LogLevel::info, "reload", message);
  if (hooks_.end) hooks_.end(&applied);
  return {true, std::move(message), {}};
}

PipelineProgress LiveGateway::progress() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (!gateway_) return {};
  return gateway_->progress();
}

bool LiveGateway::ready() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->ready();
}

void LiveGateway::write_metrics(admin::PrometheusText& out) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  gateway_->write_metrics(out);
  out.family("medgate_config_reloads_total", "counter", "Config reloads since start, by result");
  out.sample("medgate_config_reloads_total", {{"result", "applied"}}, static_cast<double>(reloads_applied_));
  out.sample("medgate_config_reloads_total", {{"result", "refused"}}, static_cast<double>(reloads_refused_));
  out.family("medgate_config_last_reload_successful", "gauge", "1 unless the last reload was refused");
  out.sample("medgate_config_last_reload_successful", {}, last_reload_ok_ ? 1 : 0);
}

sdk::Value LiveGateway::status() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  sdk::Value doc = gateway_->status();
  sdk::Value reloads = sdk::Value::object();
  reloads["applied"] = static_cast<std::int64_t>(reloads_applied_);
  reloads["refused"] = static_cast<std::int64_t>(reloads_refused_);
  reloads["last_successful"] = last_reload_ok_;
  doc["reloads"] = std::move(reloads);
  return doc;
}

sdk::Value LiveGateway::plugins() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->plugins();
}

sdk::Value LiveGateway::routes() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->routes();
}

sdk::Value LiveGateway::quarantine_summary() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->quarantine_summary();
}

sdk::Status LiveGateway::quarantine_entries(const std::string& source, std::size_t offset, std::size_t limit,
                                            sdk::Value& out) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->quarantine_entries(source, offset, limit, out);
}

sdk::Status LiveGateway::quarantine_open(const std::string& source, std::size_t entry, const std::string& role,
                                         sdk::Value& out) {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->quarantine_open(source, entry, role, out);
}

sdk::Status LiveGateway::quarantine_drop(const std::string& source, const std::vector<std::size_t>& entries,
                                         const std::string& role, sdk::Value& out) {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->quarantine_drop(source, entries, role, out);
}

sdk::Value LiveGateway::dlq_summary() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->dlq_summary();
}

sdk::Status LiveGateway::dlq_entries(const std::string& target, std::size_t offset, std::size_t limit,
                                     sdk::Value& out) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->dlq_entries(target, offset, limit, out);
}

sdk::Status LiveGateway::dlq_replay(const admin::DeadLetterSelection& which,
                                    const std::function<void(std::uint64_t, std::uint64_t)>& progress,
                                    std::uint64_t& replayed) {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->dlq_replay(which, progress, replayed);
}

sdk::Status LiveGateway::dlq_drop(const admin::DeadLetterSelection& which, std::uint64_t& dropped) {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return gateway_->dlq_drop(which, dropped);
}

}  // namespace medgate::runtime
