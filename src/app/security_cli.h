// The security subcommands: `parley keys create|list|revoke|rotate`, `parley token` and
// `parley audit verify`. AddSecurityCommands registers them on the CLI11 app; after parsing,
// RunSecurityCommand runs whichever was chosen. Single-threaded, command-line use only.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

namespace parley::app {

struct SecurityCli {
  std::string config;  // --config for every command (default as for serve)
  std::string db;      // keys: --db overrides auth.keys_db
  // keys create / rotate
  std::string name, scopes = "chat", expires = "90d", id, grace = "24h";
  bool json = false;
  // token
  std::string sub, ttl = "30m", alg, audience, issuer;
  // audit verify
  std::vector<std::string> files;
  std::string key_file;

  CLI::App *keys_create = nullptr, *keys_list = nullptr, *keys_revoke = nullptr,
           *keys_rotate = nullptr, *token = nullptr, *audit_verify = nullptr;
};

void AddSecurityCommands(CLI::App& app, SecurityCli* cli);
// True when one of the security commands was parsed; *exit_code is then set.
bool RunSecurityCommand(const SecurityCli& cli, int* exit_code);

}  // namespace parley::app
