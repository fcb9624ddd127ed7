// The parsed configuration of one Parley process: typed settings per section of parley.yaml.
// Loaded once at start-up (and again on reload) by LoadConfig(); a plain value afterwards.
// Defaults, documentation and validation of every key come from the schema in schema.cc.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config_security.h"

namespace parley::config {

using Millis = std::chrono::milliseconds;

struct ServerSection {
  std::string listen;  // "host:port"
  std::string host;    // split from listen
  uint16_t port = 0;
  int io_threads = 0;
  Millis header_timeout{0}, body_timeout{0}, write_timeout{0}, shutdown_grace{0};
  uint64_t max_header_bytes = 0;
  int64_t max_header_count = 0;
  uint64_t max_body_bytes = 0;
  int64_t max_json_depth = 0;
  int64_t max_connections = 0;
  std::vector<std::string> trusted_proxies;
  std::string port_file;
};

struct LogSection {
  std::string level;
  bool access = true;
  bool to_stdout = true;
  std::string file;
  uint64_t file_max_bytes = 0;
  int64_t file_keep = 0;
};

struct MetricsSection {
  bool enabled = true;
  std::string path;
};

struct Config {
  ServerSection server;
  LogSection log;
  MetricsSection metrics;
  SecuritySection security;
  AuthSection auth;
  JwtSection jwt;
  NetworkSection network;
  RateLimitSection ratelimit;
  GuardSection guard;
  AuditSection audit;
  TlsSection tls;
  CorsSection cors;
  std::string source;  // the file it came from, or "" for built-in defaults
};

}  // namespace parley::config
