// Process-level metrics (resident memory, CPU time, open files, start time, uptime) and the
// build-info metric, refreshed by a registry collector at scrape time. Linux /proc based.
#pragma once

#include <string>

#include "obs/metrics.h"

namespace parley::obs {

struct BuildInfo {
  std::string version;
  std::string commit;
  std::string compiler;
  std::string build_type;
};

void RegisterProcessMetrics(Registry& registry, const BuildInfo& build);

// Current resident set size in bytes (from /proc/self/statm); 0 when unavailable.
long ResidentBytes();

}  // namespace parley::obs
