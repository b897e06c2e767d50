// medgated: the gateway daemon. Runs in the foreground (systemd Type=notify);
// reloads its config on SIGHUP; stops on SIGTERM/SIGINT after draining.
#include <cstdlib>
#include <pthread.h>
#include <signal.h>

#include <cstring>
#include <iostream>
#include <string>
#include <mimalloc.h>

#include "daemon/service_notifier.h"
#include "medgate/sdk/version.h"
#include "plugin_host/plugin_registry.h"
#include "runtime/checked_config.h"
#include "runtime/live_gateway.h"
#include "admin/admin_server.h"
#include "admin/server_tls.h"
#include "runtime/log.h"

namespace {
constexpr const char* kUsage = R"(usage: medgated --config FILE [--check] [--drain-timeout SECONDS] [--log-level LEVEL]

Runs the medgate gateway in the foreground.

  --config FILE          the configuration (production: /etc/medgate/medgate.yaml)
  --check                validate the configuration (schema, plugins, key files,
                         policies) and exit; problems print as FILE:LINE:COL: message
  --drain-timeout SECS   on SIGTERM, keep delivering spooled records this long (default 10)
  --log-level LEVEL      debug, info, warning or error (default info)
  --version              print versions and exit
  --help                 this text

Exit status: 0 success (or configuration valid); 1 configuration invalid or
startup failed; 2 usage error; 3 stopped, but a target plugin did not return
within 5 s of the drain deadline (its undelivered records stay spooled).
)";

// After a reload: the admin API takes the new token files and a renewed
// certificate; on error it keeps what it had.
void reload_admin(medgate::admin::AdminServer& server, const medgate::config::AdminConfig& applied) {
  using medgate::runtime::log;
  using medgate::sdk::LogLevel;
  if (auto s = server.reload_tokens(applied.tokens); !s.ok())
    log(LogLevel::error, "reload", "admin tokens kept as they were: " + s.message());
  const std::string before = server.certificate();
  if (auto s = server.reload_certificate(applied.tls); !s.ok())
    log(LogLevel::error, "reload", "admin certificate kept as it was (" + before + "): " + s.message());
  else if (server.certificate() != before)
    log(LogLevel::info, "reload", "admin API certificate renewed: " + server.certificate());
}

int usage_error(const std::string& msg) {
  std::cerr << "medgated: " << msg << "\n(see medgated --help)\n";
  return 2;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace medgate;
  std::string config_path;
  bool check_only = false;
  long drain_seconds = 10;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* { return i + 1 < argc ? argv[++i] : (usage_error(std::string(name) + " needs a value"), nullptr); };
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--version") {
      std::cout << "medgated " MEDGATE_VERSION " (plugin SDK " << MEDGATE_SDK_VERSION_MAJOR << "." << MEDGATE_SDK_VERSION_MINOR
                << ", " << MEDGATE_SDK_BUILD_ID << "; allocator mimalloc " << mi_version() / 100 << "." << mi_version() % 100 / 10
                << "." << mi_version() % 10 << ")\n";
      return 0;
    } else if (a == "--check") {
      check_only = true;
    } else if (a == "--config") {
      const char* v = value("--config");
      if (!v) return 2;
      config_path = v;
    } else if (a == "--drain-timeout") {
      const char* v = value("--drain-timeout");
      if (!v) return 2;
      char* end = nullptr;
      drain_seconds = std::strtol(v, &end, 10);
      if (*end || drain_seconds < 0) return usage_error("--drain-timeout takes a whole number of seconds");
    } else if (a == "--log-level") {
      const char* v = value("--log-level");
      if (!v) return 2;
      std::string l = v;
      if (l == "debug") runtime::set_min_log_level(sdk::LogLevel::debug);
      else if (l == "info") runtime::set_min_log_level(sdk::LogLevel::info);
      else if (l == "warning") runtime::set_min_log_level(sdk::LogLevel::warning);
      else if (l == "error") runtime::set_min_log_level(sdk::LogLevel::error);
      else return usage_error("unknown log level '" + l + "'");
    } else {
      return usage_error("unknown argument '" + a + "'");
    }
  }
  if (config_path.empty()) return usage_error("--config FILE is required");

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto registry = std::make_unique<plugin_host::PluginRegistry>();
  config::Diagnostics diags;
  auto checked = runtime::check_config(config_path, *registry, diags);
  for (const auto& r : registry->refused()) std::cerr << "medgated: plugin refused: " << r.reason << "\n";
  if (!checked) {
    diags.print(std::cerr);
    std::cerr << "medgated: " << diags.items().size() << " problem" << (diags.items().size() == 1 ? "" : "s")
              << " in " << config_path << "\n";
    return 1;
  }
  if (check_only) {
    std::cout << config_path << ": OK (" << checked->config.sources.size() << " sources, "
              << checked->config.targets.size() << " targets, " << checked->config.routes.size() << " routes, "
              << registry->plugins().size() << " plugins loaded)\n";
    return 0;
  }

  const config::AdminConfig admin_config = checked->config.admin;
  std::string error;
  auto gateway = runtime::LiveGateway::start(std::move(registry), std::move(*checked), error);
  if (!gateway) {
    runtime::log(sdk::LogLevel::error, "medgated", "cannot start: " + error);
    return 1;
  }
  std::unique_ptr<admin::AdminServer> admin_server;
  if (admin_config.enabled) {
    admin_server = std::make_unique<admin::AdminServer>(admin_config, *gateway);
    if (sdk::Status s = admin_server->start(); !s.ok()) {
      runtime::log(sdk::LogLevel::error, "medgated", "cannot start: " + s.message());
      gateway->stop(std::chrono::seconds(0));
      return 1;
    }
    runtime::log(sdk::LogLevel::info, "medgated", "admin API on " + admin_config.listen.substr(0, admin_config.listen.rfind(':') + 1) +
                                                    std::to_string(admin_server->port()) +
                                                    admin::tls_label(admin_config.tls));
    if (admin_config.tls.enabled())
      runtime::log(sdk::LogLevel::info, "medgated", "admin API certificate: " + admin_server->certificate());
  }
  daemon::ServiceNotifier notifier([&gateway] { return gateway->progress(); });
  gateway->set_reload_hooks({[&notifier] { notifier.reloading(); },
                             [&notifier, &admin_server](const config::GatewayConfig* applied) {
                               if (applied && admin_server) reload_admin(*admin_server, applied->admin);
                               notifier.ready();
                             }});
  notifier.ready();
  runtime::log(sdk::LogLevel::info, "medgated", "started with " + config_path);
  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      gateway->reload();  // logs what it did; a bad config leaves the running one
      continue;
    }
    runtime::log(sdk::LogLevel::info, "medgated",
                 std::string("received ") + strsignal(sig) + "; draining for up to " + std::to_string(drain_seconds) + " s");
    break;
  }
  notifier.stopping();
  std::vector<std::string> stuck = gateway->stop(std::chrono::seconds(drain_seconds));
  if (admin_server) admin_server->stop();  // served /healthz and /metrics while draining
  for (const auto& line : gateway->summary()) runtime::log(sdk::LogLevel::info, "medgated", line);
  if (!stuck.empty()) {
    std::string names;
    for (const auto& n : stuck) names += (names.empty() ? "" : ", ") + n;
    runtime::log(sdk::LogLevel::error, "medgated",
                 "still inside plugin code after the deadline: " + names + "; exiting without them "
                 "(undelivered records stay spooled and are delivered after the restart; input a source had not "
                 "emitted is the sender's to resend)");
    std::_Exit(3);  // their threads are still inside plugin code: no destructors may run
  }
  admin_server.reset();
  notifier.close();  // its watchdog thread asks the gateway
  gateway.reset();
  runtime::log(sdk::LogLevel::info, "medgated", "stopped");
  return 0;
}
