// An in-process Kafka cluster (librdkafka's mock cluster) and a reader that
// fetches everything a topic holds, for the kafka target's unit tests.
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace medgate::testing {

class MockKafkaCluster {
 public:
  MockKafkaCluster(int brokers, const std::string& topic, int partitions) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (!rk_) throw std::runtime_error(errstr);
    cluster_ = rd_kafka_mock_cluster_new(rk_, brokers);
    if (!cluster_) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
    if (rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, brokers < 3 ? brokers : 3))
      throw std::runtime_error("rd_kafka_mock_topic_create failed");
  }
  ~MockKafkaCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(rk_);
  }
  MockKafkaCluster(const MockKafkaCluster&) = delete;
  MockKafkaCluster& operator=(const MockKafkaCluster&) = delete;

  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  rd_kafka_mock_cluster_t* get() { return cluster_; }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

struct ConsumedMessage {
  int partition = -1;
  std::int64_t offset = -1;
  std::string key;
  std::string value;
  std::vector<std::string> idempotency_headers;  // every medgate-idempotency-key header
};

// Reads partitions 0..partitions-1 of `topic` from the beginning until at
// least `want` messages arrived and every partition is at its end (so extra
// messages, e.g. duplicates, are read too), or until `timeout` passed.
inline std::vector<ConsumedMessage> read_topic(const std::string& bootstraps, const std::string& topic, int partitions,
                                               std::size_t want,
                                               std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (auto [k, v] : {std::pair{"bootstrap.servers", bootstraps.c_str()}, {"group.id", "medgate-test-reader"},
                      {"enable.auto.commit", "false"}, {"enable.partition.eof", "true"}, {"log_level", "3"}})
    if (rd_kafka_conf_set(conf, k, v, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) throw std::runtime_error(errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!rk) throw std::runtime_error(errstr);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);

  std::vector<ConsumedMessage> out;
  std::vector<bool> at_end(static_cast<std::size_t>(partitions), false);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto all_at_end = [&] { return std::find(at_end.begin(), at_end.end(), false) == at_end.end(); };
  while (!(out.size() >= want && all_at_end()) && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end[static_cast<std::size_t>(m->partition)] = true;
    } else if (!m->err) {
      at_end[static_cast<std::size_t>(m->partition)] = false;
      ConsumedMessage c;
      c.partition = m->partition;
      c.offset = m->offset;
      if (m->key) c.key.assign(static_cast<const char*>(m->key), m->key_len);
      if (m->payload) c.value.assign(static_cast<const char*>(m->payload), m->len);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const void* value = nullptr;
        size_t size = 0;
        for (size_t i = 0; rd_kafka_header_get(headers, i, "medgate-idempotency-key", &value, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i)
          c.idempotency_headers.emplace_back(static_cast<const char*>(value), size);
      }
      out.push_back(std::move(c));
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

}  // namespace medgate::testing
