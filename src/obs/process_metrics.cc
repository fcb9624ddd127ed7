#include "obs/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

namespace parley::obs {
namespace {

double NowSeconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

int CountOpenFds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return 0;
  int n = 0;
  while (readdir(d)) ++n;
  closedir(d);
  return n - 3;  // ".", ".." and the descriptor of the listing itself
}

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

}  // namespace

long ResidentBytes() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  long size = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * sysconf(_SC_PAGESIZE) : 0;
}

void RegisterProcessMetrics(Registry& registry, const BuildInfo& build) {
  const double start = NowSeconds();
  auto* rss = registry.AddGauge("process_resident_memory_bytes", "Resident memory size in bytes.")
                  ->With({});
  auto* cpu =
      registry.AddGauge("process_cpu_seconds", "Total user and system CPU time in seconds.")
          ->With({});
  auto* fds = registry.AddGauge("process_open_fds", "Number of open file descriptors.")->With({});
  registry.AddGauge("process_start_time_seconds", "Start time of the process since the epoch.")
      ->With({})
      ->Set(start);
  auto* uptime =
      registry.AddGauge("parley_uptime_seconds", "Seconds since the server started.")->With({});
  registry
      .AddGauge("parley_build_info", "Build information; the value is always 1.",
                {"version", "commit", "compiler", "build_type"})
      ->With({build.version, build.commit, build.compiler, build.build_type})
      ->Set(1);
  registry.AddCollector([=] {
    rss->Set(static_cast<double>(ResidentBytes()));
    cpu->Set(CpuSeconds());
    fds->Set(CountOpenFds());
    uptime->Set(NowSeconds() - start);
  });
}

}  // namespace parley::obs
