// `parley serve`: loads the configuration, wires the layers together and runs the server until
// SIGINT/SIGTERM. Returns the process exit code (0, 78 for configuration errors, 1 otherwise).
#pragma once

#include <string>

namespace parley::app {

struct ServeFlags {
  std::string config;     // file; empty: $PARLEY_CONFIG, then ./parley.yaml, then defaults
  std::string listen;     // overrides server.listen
  std::string port_file;  // overrides server.port_file
  std::string log_level;  // overrides log.level
  std::string model;      // --model FILE.gguf: the default model's file
  std::string flow;       // overrides dialog.flow
};

int RunServe(const ServeFlags& flags);

// The config file `serve` and `config check` use when none is given on the command line.
std::string DefaultConfigPath();

inline constexpr int kExitConfig = 78;  // EX_CONFIG from sysexits.h

}  // namespace parley::app
