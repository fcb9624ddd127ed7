// Operational routes: GET /health (alive), GET /ready (every component ready), the Prometheus
// endpoint, and GET/PUT /admin/log_level to read or change the log level at run time.
#pragma once

#include <string>

#include "http/router.h"
#include "obs/logger.h"
#include "obs/metrics.h"
#include "obs/readiness.h"

namespace parley::api {

struct OpsDeps {
  obs::Registry* metrics = nullptr;
  obs::Readiness* readiness = nullptr;
  obs::Logger* log = nullptr;
  std::string metrics_path = "/metrics";  // empty: no metrics route
  int max_json_depth = 64;
};

void AddOpsRoutes(http::Router& router, const OpsDeps& deps);

}  // namespace parley::api
