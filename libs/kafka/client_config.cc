#include "libs/kafka/client_config.h"

#include <climits>

#include "absl/strings/str_cat.h"
#include "libs/log/log.h"

namespace jit::kafka {
namespace {

// librdkafka's own log lines (syslog levels) as JSON log events, like every
// other line the services write. Called on librdkafka's threads.
void LogToJson(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  const log::Level ours = level <= 2   ? log::Level::kCritical
                          : level == 3 ? log::Level::kError
                          : level == 4 ? log::Level::kWarn
                          : level <= 6 ? log::Level::kInfo
                                       : log::Level::kDebug;
  log::Event(ours, message,
             {{"library", "librdkafka"},
              {"facility", facility},
              {"client", rk != nullptr ? rd_kafka_name(rk) : ""}});
}

}  // namespace

absl::StatusOr<rd_kafka_t*> NewKafkaClient(
    rd_kafka_type_t type, const PropertyList& properties,
    const std::function<void(rd_kafka_conf_t*)>& customize) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (const auto& [name, value] : properties) {
    errstr[0] = '\0';
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr,
                          sizeof(errstr)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      // The value is not echoed: it may be a credential.
      return absl::InvalidArgumentError(
          absl::StrCat("kafka config property \"", name, "\": ", errstr));
    }
  }
  rd_kafka_conf_set_log_cb(conf, &LogToJson);
  if (customize) customize(conf);
  errstr[0] = '\0';
  // On success rd_kafka_new takes ownership of conf; on failure it does not.
  rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return absl::InvalidArgumentError(absl::StrCat(
        "kafka ", type == RD_KAFKA_PRODUCER ? "producer" : "consumer",
        " config: ", errstr));
  }
  return rk;
}

int TimeoutMs(absl::Duration timeout) {
  if (timeout <= absl::ZeroDuration()) return 0;
  if (timeout >= absl::Milliseconds(INT_MAX)) return INT_MAX;
  return static_cast<int>(
      absl::ToInt64Milliseconds(absl::Ceil(timeout, absl::Milliseconds(1))));
}

bool HasProperty(const Properties& properties, const std::string& name) {
  return properties.find(name) != properties.end();
}

}  // namespace jit::kafka
