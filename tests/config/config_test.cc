#include <gtest/gtest.h>

#include "config/loader.h"
#include "config/schema.h"

namespace parley::config {
namespace {

TEST(SchemaTest, EveryDefaultParses) {
  for (const auto& f : Schema()) {
    // Required keys of list items (models.path) have no default to parse.
    if (IsListSection(f.section) && f.default_text.empty()) continue;
    std::string why;
    EXPECT_TRUE(ParseScalar(f, f.default_text, &why)) << f.section << "." << f.key << ": " << why;
  }
}

TEST(LoaderTest, DefaultsMatchTheDocumentedValues) {
  const Config c = Defaults();
  EXPECT_EQ(c.server.host, "127.0.0.1");
  EXPECT_EQ(c.server.port, 18789);
  EXPECT_EQ(c.server.max_body_bytes, 1u << 20);
  EXPECT_EQ(c.server.header_timeout, std::chrono::seconds(15));
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.metrics.path, "/metrics");
  EXPECT_EQ(c.server.trusted_proxies, (std::vector<std::string>{"127.0.0.1/32", "::1/128"}));
}

TEST(LoaderTest, ParsesUnitsAndLists) {
  const auto l = LoadText(
      "server:\n  listen: '[::1]:8080'\n  body_timeout: 250ms\n  shutdown_grace: 2m\n"
      "  max_body_bytes: 2MiB\n  trusted_proxies:\n    - 10.0.0.0/8\n    - fd00::/8\n",
      "t.yaml", {});
  ASSERT_TRUE(l.ok()) << l.issues[0].ToString();
  EXPECT_EQ(l.config.server.host, "::1");
  EXPECT_EQ(l.config.server.port, 8080);
  EXPECT_EQ(l.config.server.body_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(l.config.server.shutdown_grace, std::chrono::minutes(2));
  EXPECT_EQ(l.config.server.max_body_bytes, 2u << 20);
  EXPECT_EQ(l.config.server.trusted_proxies.size(), 2u);
}

TEST(LoaderTest, EnvironmentWinsOverTheFile) {
  const auto l = LoadText("log:\n  level: warn\n", "t.yaml",
                          {{"PARLEY_LOG_LEVEL", "debug"},
                           {"PARLEY_SERVER_TRUSTED_PROXIES", "10.0.0.1, ::1"},
                           {"UNRELATED", "x"},
                           {"PARLEY_CONFIG", "ignored.yaml"}});
  ASSERT_TRUE(l.ok()) << l.issues[0].ToString();
  EXPECT_EQ(l.config.log.level, "debug");
  EXPECT_EQ(l.config.server.trusted_proxies, (std::vector<std::string>{"10.0.0.1", "::1"}));
}

TEST(LoaderTest, ReportsWrongTypesWithLineAndExpectation) {
  const auto l = LoadText(
      "server:\n  io_threads: [1, 2]\n  trusted_proxies: [10.0.0.0/99]\n"
      "metrics:\n  path: metrics\n",
      "t.yaml", {});
  ASSERT_EQ(l.issues.size(), 3u);
  EXPECT_EQ(l.issues[0].ToString(),
            "t.yaml:2:15: server.io_threads: expected an integer from 0 to 256, got a list");
  EXPECT_EQ(
      l.issues[1].ToString(),
      "t.yaml:3:20: server.trusted_proxies: '10.0.0.0/99' is not an IP address or CIDR range");
  EXPECT_EQ(l.issues[2].ToString(), "t.yaml:5:9: metrics.path: expected a path starting with '/'");
}

TEST(LoaderTest, RejectsNegativeAndOutOfRangeSizes) {
  const auto l = LoadText("server:\n  max_body_bytes: -5\n  header_timeout: 0s\n", "t.yaml", {});
  ASSERT_EQ(l.issues.size(), 2u);
  EXPECT_NE(l.issues[0].message.find("expected a size"), std::string::npos);
  EXPECT_NE(l.issues[1].message.find("out of range"), std::string::npos);
}

TEST(LoaderTest, ModelsAreAListWithPerItemDefaultsAndEnvForTheFirst) {
  const auto l =
      LoadText("models:\n  - path: /m/a.gguf\n    parallel: 8\n  - path: /m/b.gguf\n    id: bee\n",
               "t.yaml", {{"PARLEY_MODEL_THREADS", "3"}});
  ASSERT_TRUE(l.ok()) << l.issues[0].ToString();
  ASSERT_EQ(l.config.models.size(), 2u);
  EXPECT_EQ(l.config.models[0].id, "a");
  EXPECT_EQ(l.config.models[0].parallel, 8);
  EXPECT_EQ(l.config.models[0].threads, 3);
  EXPECT_EQ(l.config.models[1].id, "bee");
  EXPECT_EQ(l.config.models[1].parallel, 4);
  EXPECT_EQ(l.config.models[1].threads, 0);
  EXPECT_EQ(l.config.models[1].context, 4096);
}

TEST(LoaderTest, ModelItemsAreValidated) {
  const auto l = LoadText(
      "models:\n  - id: x\n    temperature: 9\n    colour: red\n  - path: /a.gguf\n    id: x\n",
      "t.yaml", {});
  ASSERT_EQ(l.issues.size(), 4u);
  EXPECT_NE(l.issues[0].ToString().find("models.temperature: expected a number from 0 to 2"),
            std::string::npos);
  EXPECT_NE(l.issues[1].ToString().find("models.colour: unknown key"), std::string::npos);
  EXPECT_NE(l.issues[2].ToString().find("t.yaml:2:5: models.path: each model needs a 'path'"),
            std::string::npos)
      << l.issues[2].ToString();
  EXPECT_NE(l.issues[3].ToString().find("duplicate model id 'x'"), std::string::npos);
}

TEST(LoaderTest, ModelFlagAddsOrReplacesTheDefaultModel) {
  auto l = LoadText("", "t.yaml", {}, {"/m/q.gguf"});
  ASSERT_EQ(l.config.models.size(), 1u);
  EXPECT_EQ(l.config.models[0].id, "q");
  l = LoadText("models:\n  - path: /m/a.gguf\n    context: 8192\n", "t.yaml", {}, {"/m/q.gguf"});
  EXPECT_EQ(l.config.models[0].path, "/m/q.gguf");
  EXPECT_EQ(l.config.models[0].context, 8192);
}

TEST(LoaderTest, EmptyFileIsAllDefaults) {
  EXPECT_TRUE(LoadText("", "t.yaml", {}).ok());
  EXPECT_TRUE(LoadText("# just a comment\n", "t.yaml", {}).ok());
  EXPECT_FALSE(LoadText("- a\n- b\n", "t.yaml", {}).ok());
}

}  // namespace
}  // namespace parley::config
