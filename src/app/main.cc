// parley: the command-line entry point. Subcommands: serve, version, config check, config docs,
// and the security commands (keys, token, audit verify; see app/security_cli.h).
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/build_info.h"
#include "app/security_cli.h"
#include "app/serve.h"
#include "config/loader.h"
#include "config/schema.h"
#include "engine/backend_info.h"

namespace {

int ConfigCheck(const std::string& file) {
  const std::string path = file.empty() ? parley::app::DefaultConfigPath() : file;
  const auto loaded = parley::config::LoadFile(path, parley::config::ProcessEnvironment());
  for (const auto& issue : loaded.issues) std::cout << issue.ToString() << '\n';
  const std::string name = path.empty() ? "(defaults)" : path;
  if (!loaded.ok()) {
    std::cout << name << ": " << loaded.issues.size() << " problem"
              << (loaded.issues.size() == 1 ? "" : "s") << '\n';
    return parley::app::kExitConfig;
  }
  std::cout << name << ": OK\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Parley: a self-hosted conversational AI server in one binary."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("parley ") + parley::build::kVersion);

  parley::app::ServeFlags serve_flags;
  auto* serve = app.add_subcommand("serve", "Serve the assistant over HTTP until SIGINT/SIGTERM.");
  serve->add_option("-c,--config", serve_flags.config,
                    "Config file (default: $PARLEY_CONFIG, else ./parley.yaml if present)");
  serve->add_option("-l,--listen", serve_flags.listen, "host:port to listen on (port 0: any free)");
  serve->add_option("--port-file", serve_flags.port_file, "Write the bound port to this file");
  serve->add_option("--log-level", serve_flags.log_level, "debug, info, warn or error");

  auto* version = app.add_subcommand("version", "Print version and build information.");

  auto* config = app.add_subcommand("config", "Validate or document the configuration.");
  config->require_subcommand(1);
  std::string check_file;
  auto* check = config->add_subcommand(
      "check", "Validate a config file plus PARLEY_* environment overrides; exit 78 on error.");
  check->add_option("file", check_file, "The YAML file (default: as for serve)");
  auto* docs = config->add_subcommand("docs", "Print the configuration reference (Markdown).");

  parley::app::SecurityCli security_cli;
  parley::app::AddSecurityCommands(app, &security_cli);

  // A flag given twice (e.g. a wrapper adds --listen, the user adds another): the last wins.
  for (auto* opt : serve->get_options()) opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  CLI11_PARSE(app, argc, argv);

  if (serve->parsed()) return parley::app::RunServe(serve_flags);
  if (int rc = 0; parley::app::RunSecurityCommand(security_cli, &rc)) return rc;
  if (version->parsed()) {
    std::cout << "parley " << parley::build::kVersion << "\ncommit " << parley::build::kCommit
              << "\ncompiler " << parley::build::kCompiler << "\nbuild " << parley::build::kBuildType
              << "\nllama.cpp " << parley::build::kLlamaCommit << "\nbackend " << parley::engine::BackendInfo() << "\n";
    return 0;
  }
  if (check->parsed()) return ConfigCheck(check_file);
  if (docs->parsed()) {
    std::cout << parley::config::RenderMarkdown();
    return 0;
  }
  return 0;
}
