// Loading parley.yaml: defaults from the schema, then the file, then PARLEY_<SECTION>_<KEY>
// environment overrides, each value validated. Every problem is collected (not just the first)
// with where it came from, so `parley config check` can list them all. Start-up only; the
// functions are reentrant.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config.h"

namespace parley::config {

struct Issue {
  std::string where;    // "parley.yaml:12:3", "PARLEY_SERVER_LISTEN" or "parley.yaml"
  std::string key;      // "server.listen", or "" for file-level problems
  std::string message;  // what was wrong and what was expected
  std::string ToString() const;
};

struct Loaded {
  Config config;
  std::vector<Issue> issues;
  bool ok() const { return issues.empty(); }
};

using Environment = std::map<std::string, std::string>;
Environment ProcessEnvironment();

// Settings from the command line that shape loading itself (flags such as --listen are applied
// afterwards by the caller).
struct Overrides {
  std::string model_path;  // --model: the default model's file (adds a model if none is listed)
};

Config Defaults();
// path empty: defaults plus environment only.
Loaded LoadFile(const std::string& path, const Environment& env, const Overrides& o = {});
Loaded LoadText(const std::string& yaml, const std::string& name, const Environment& env,
                const Overrides& o = {});

}  // namespace parley::config
