// The standard middleware every request passes: request id, metrics and access log. Each
// function returns an http::Middleware to add to the Pipeline; the returned callables are
// thread-safe and keep pointers to the logger/registry, which must outlive the pipeline.
#pragma once

#include <functional>

#include "http/router.h"
#include "obs/logger.h"
#include "obs/metrics.h"
#include "util/ip.h"

namespace parley::server {

// Takes X-Request-Id from peers in `trusted` when it is well-formed (1-128 characters of
// [A-Za-z0-9._:-]); otherwise generates one. Either way it is echoed in the response.
http::Middleware RequestIdMiddleware(ip::CidrSet trusted);

// Counts requests by route, method and status, times them, and tracks requests in flight.
// Unknown paths share the route label "unmatched", so clients cannot blow up cardinality.
http::Middleware MetricsMiddleware(const http::Router& router, obs::Registry& registry);

// One JSON line per finished request: request id, method, route, path, status, duration, bytes.
http::Middleware AccessLogMiddleware(obs::Logger* log);

// Answers requests that did not come through TLS with 308 to the same host (from the Host
// header) on `https_port()`, except the health probes, which load balancers send in plain HTTP.
http::Middleware HttpsRedirectMiddleware(std::function<uint16_t()> https_port);

bool IsValidRequestId(std::string_view id);

}  // namespace parley::server
