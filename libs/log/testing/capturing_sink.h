// A spdlog sink for tests that collects the JSON lines jit::log writes, so a
// test can assert on what was logged:
//
//   auto sink = std::make_shared<jit::log::testing::CapturingSink>();
//   ASSERT_TRUE(jit::log::Init({.component = "test", .level = "debug",
//                               .sink = sink}).ok());
//   ...
//   for (const nlohmann::json& line : sink->Lines()) ...
//
// Safe to read while other threads log.
#ifndef JIT_LIBS_LOG_TESTING_CAPTURING_SINK_H_
#define JIT_LIBS_LOG_TESTING_CAPTURING_SINK_H_

#include <mutex>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "spdlog/sinks/base_sink.h"

namespace jit::log::testing {

class CapturingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  // Every line logged so far, parsed.
  std::vector<nlohmann::json> Lines() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<nlohmann::json> out;
    for (const std::string& line : lines_) {
      out.push_back(nlohmann::json::parse(line));
    }
    return out;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    lines_.emplace_back(buf.data(), buf.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

}  // namespace jit::log::testing

#endif  // JIT_LIBS_LOG_TESTING_CAPTURING_SINK_H_
