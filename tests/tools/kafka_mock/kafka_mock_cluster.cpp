// kafka_mock_cluster [--brokers N] [--topic NAME] [--partitions P]
//
// Starts librdkafka's in-memory mock cluster (N brokers on 127.0.0.1,
// ephemeral ports) with one topic of P partitions, prints the bootstrap
// servers as one line on stdout, and serves until stdin reaches end of file
// or SIGTERM/SIGINT arrives. Exit codes: 0 done, 1 the cluster could not be
// created, 2 usage error. Test-only: the mock keeps everything in memory.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

int usage(const char* message) {
  std::fprintf(stderr, "kafka_mock_cluster: %s\nusage: kafka_mock_cluster [--brokers N] [--topic NAME] [--partitions P]\n",
               message);
  return 2;
}

bool parse_count(const char* text, int& out) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (!end || *end != '\0' || v < 1 || v > 1000) return false;
  out = static_cast<int>(v);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 3;
  int partitions = 3;
  std::string topic = "medgate";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage("help");
      return 0;
    }
    if (i + 1 >= argc) return usage(("missing value for " + arg).c_str());
    const char* value = argv[++i];
    if (arg == "--brokers") {
      if (!parse_count(value, brokers)) return usage("--brokers needs a number from 1 to 1000");
    } else if (arg == "--partitions") {
      if (!parse_count(value, partitions)) return usage("--partitions needs a number from 1 to 1000");
    } else if (arg == "--topic") {
      topic = value;
      if (topic.empty()) return usage("--topic needs a name");
    } else {
      return usage(("unknown argument " + arg).c_str());
    }
  }

  // SIGTERM/SIGINT are only let through while waiting in ppoll, so the flag
  // check cannot miss one.
  sigset_t blocked, waiting;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  sigprocmask(SIG_BLOCK, &blocked, &waiting);
  struct sigaction sa {};
  sa.sa_handler = &on_signal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  // The mock cluster needs a client instance for its bookkeeping.
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // Its own client connects nowhere: keep its "no bootstrap.servers" notice quiet.
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    std::fprintf(stderr, "kafka_mock_cluster: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!cluster) {
    std::fprintf(stderr, "kafka_mock_cluster: cannot create a mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }
  const int replication = brokers < 3 ? brokers : 3;
  if (rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, topic.c_str(), partitions, replication)) {
    std::fprintf(stderr, "kafka_mock_cluster: cannot create topic %s: %s\n", topic.c_str(), rd_kafka_err2str(err));
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(rk);
    return 1;
  }
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);

  while (!g_stop) {
    pollfd in{STDIN_FILENO, POLLIN, 0};
    int n = ppoll(&in, 1, nullptr, &waiting);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    char buf[256];
    ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
    if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) break;  // end of input: done
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
