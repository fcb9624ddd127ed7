#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "obs/logger.h"
#include "obs/metrics.h"
#include "obs/readiness.h"
#include "support/server_process.h"

namespace parley::obs {
namespace {

TEST(MetricsTest, RendersCountersGaugesAndHistogramsInPrometheusFormat) {
  Registry r;
  auto* c = r.AddCounter("t_requests_total", "Requests.", {"route", "status"});
  c->With({"/a", "200"})->Inc(3);
  c->With({"/a\"b", "500"})->Inc();
  r.AddGauge("t_temp", "Temperature.")->With({})->Set(1.5);
  auto* h = r.AddHistogram("t_latency_seconds", "Latency.", {"route"}, {0.1, 1});
  h->With({"/a"})->Observe(0.05);
  h->With({"/a"})->Observe(0.5);
  h->With({"/a"})->Observe(5);
  const std::string out = r.Render();
  EXPECT_NE(out.find("# TYPE t_requests_total counter\n"), std::string::npos);
  EXPECT_NE(out.find("t_requests_total{route=\"/a\",status=\"200\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("t_requests_total{route=\"/a\\\"b\",status=\"500\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("t_temp 1.5\n"), std::string::npos);
  EXPECT_NE(out.find("t_latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("t_latency_seconds_bucket{route=\"/a\",le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(out.find("t_latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("t_latency_seconds_count{route=\"/a\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("t_latency_seconds_sum{route=\"/a\"} 5.55\n"), std::string::npos);
}

TEST(MetricsTest, CountsExactlyUnderConcurrentUpdates) {
  Registry r;
  auto* c = r.AddCounter("t_total", "x")->With({});
  auto* h = r.AddHistogram("t_seconds", "x", {}, {1})->With({});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) {
        c->Inc();
        h->Observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c->Value(), 40000u);
  EXPECT_EQ(h->Snap().count, 40000u);
}

TEST(ReadinessTest, IsReadyOnlyWhenEveryComponentIs) {
  Readiness r;
  r.Set("server", true);
  r.Set("model", false, "loading");
  EXPECT_FALSE(r.AllReady());
  r.Set("model", true);
  EXPECT_TRUE(r.AllReady());
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LoggerTest, WritesOneEscapedJsonObjectPerLine) {
  testing::TempDir dir;
  {
    Logger log({Level::kInfo, false, dir.File("log.jsonl"), 1 << 20, 2});
    log.Debug("hidden");
    log.Info("hello \"world\"\n", {{"n", 3}, {"ok", true}, {"s", "你好"}, {"d", 0.5}});
    log.Flush();
  }
  const std::string out = ReadAll(dir.File("log.jsonl"));
  EXPECT_EQ(out.find("hidden"), std::string::npos);
  EXPECT_NE(
      out.find(R"("level":"info","msg":"hello \"world\"\n","n":3,"ok":true,"s":"你好","d":0.5})"),
      std::string::npos)
      << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
}

TEST(LoggerTest, RotatesTheFileBySizeAndKeepsN) {
  testing::TempDir dir;
  const std::string path = dir.File("app.log");
  {
    Logger log({Level::kInfo, false, path, 4096, 2});
    for (int i = 0; i < 200; ++i) {
      log.Info("line", {{"i", i}, {"pad", std::string(100, 'x')}});
      if (i % 10 == 0) log.Flush();  // several batches, so rotation has chances to happen
    }
    log.Flush();
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::exists(path + ".1"));
  EXPECT_TRUE(std::filesystem::exists(path + ".2"));
  EXPECT_FALSE(std::filesystem::exists(path + ".3"));
  EXPECT_LE(std::filesystem::file_size(path + ".1"), 4096u + 2048u);
  EXPECT_NE(ReadAll(path).find("\"i\":199"), std::string::npos);
}

}  // namespace
}  // namespace parley::obs
