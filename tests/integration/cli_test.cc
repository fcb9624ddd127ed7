// The parley command line: version, config check (exit codes and messages), config docs.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "support/server_process.h"

namespace parley::testing {
namespace {

TEST(CliTest, VersionNamesTheBuildAndLlamaCpp) {
  std::string out;
  EXPECT_EQ(RunCommand({ParleyBinary(), "version"}, &out), 0);
  EXPECT_NE(out.find("parley 0."), std::string::npos) << out;
  EXPECT_NE(out.find("llama.cpp "), std::string::npos) << out;
  EXPECT_NE(out.find("CPU"), std::string::npos) << out;
}

TEST(CliTest, EverySubcommandHasHelp) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"},
                                                                {"serve", "--help"},
                                                                {"version", "--help"},
                                                                {"config", "--help"},
                                                                {"config", "check", "--help"},
                                                                {"config", "docs", "--help"}}) {
    std::vector<std::string> argv = {ParleyBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    std::string out;
    EXPECT_EQ(RunCommand(argv, &out), 0) << args.back();
    EXPECT_NE(out.find("Usage:"), std::string::npos) << out;
  }
}

TEST(CliTest, ConfigCheckAcceptsAValidFile) {
  TempDir dir;
  dir.Write("ok.yaml",
            "server:\n  listen: 127.0.0.1:9000\n  max_body_bytes: 4MiB\nlog:\n  level: debug\n");
  std::string out;
  EXPECT_EQ(RunCommand({ParleyBinary(), "config", "check", dir.File("ok.yaml")}, &out), 0) << out;
  EXPECT_NE(out.find("OK"), std::string::npos);
}

TEST(CliTest, ConfigCheckReportsEveryProblemWithLineAndExits78) {
  TempDir dir;
  dir.Write("bad.yaml",
            "server:\n"
            "  listen: nowhere\n"
            "  max_header_count: 3\n"
            "  max_body_byte: 10\n"
            "logs:\n"
            "  level: loud\n");
  std::string out;
  EXPECT_EQ(RunCommand({ParleyBinary(), "config", "check", dir.File("bad.yaml")}, &out), 78);
  const std::string f = dir.File("bad.yaml");
  EXPECT_NE(out.find(f + ":2:11: server.listen: expected host:port"), std::string::npos) << out;
  EXPECT_NE(out.find(f + ":3:21: server.max_header_count: got '3', out of range"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(f + ":4:3: server.max_body_byte: unknown key 'max_body_byte' in section "
                         "'server'; did you mean 'max_body_bytes'?"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find(f + ":5:1: logs: unknown section 'logs'; did you mean 'log'?"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("4 problems"), std::string::npos) << out;
}

TEST(CliTest, ConfigCheckReportsBrokenYamlWithItsLine) {
  TempDir dir;
  dir.Write("broken.yaml", "server:\n  listen: [127.0.0.1\n");
  std::string out;
  EXPECT_EQ(RunCommand({ParleyBinary(), "config", "check", dir.File("broken.yaml")}, &out), 78);
  EXPECT_NE(out.find("not valid YAML"), std::string::npos) << out;
}

TEST(CliTest, ConfigCheckValidatesEnvironmentOverrides) {
  TempDir dir;
  dir.Write("ok.yaml", "");
  std::string out;
  EXPECT_EQ(RunCommand({ParleyBinary(), "config", "check", dir.File("ok.yaml")}, &out,
                       {{"PARLEY_SERVER_IO_THREADS", "many"}, {"PARLEY_LOG_COLOUR", "red"}}),
            78);
  EXPECT_NE(out.find("PARLEY_SERVER_IO_THREADS: server.io_threads: expected an integer"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("PARLEY_LOG_COLOUR: log.colour: unknown key"), std::string::npos) << out;
}

TEST(CliTest, ConfigReferenceIsUpToDate) {
  std::string out;
  ASSERT_EQ(RunCommand({ParleyBinary(), "config", "docs"}, &out), 0);
  std::ifstream in(SourceDir() + "/docs/config.md");
  std::stringstream doc;
  doc << in.rdbuf();
  EXPECT_EQ(doc.str(), out) << "docs/config.md is stale: run `build/src/parley config docs > "
                               "docs/config.md`";
}

TEST(CliTest, ExampleConfigIsValid) {
  std::string out;
  EXPECT_EQ(
      RunCommand({ParleyBinary(), "config", "check", SourceDir() + "/examples/parley.yaml"}, &out),
      0)
      << out;
}

}  // namespace
}  // namespace parley::testing
