// Settings of the HTTP transport; filled from the `server:` config section.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "util/ip.h"

namespace parley::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 18789;  // 0: any free port; HttpServer::port() tells which
  int io_threads = 0;     // 0: one per core
  std::chrono::milliseconds header_timeout{15000};  // whole header, incl. keep-alive idle wait
  std::chrono::milliseconds body_timeout{60000};
  std::chrono::milliseconds write_timeout{60000};
  std::chrono::milliseconds shutdown_grace{10000};
  uint32_t max_header_bytes = 16 * 1024;
  uint32_t max_header_count = 100;
  uint64_t max_body_bytes = 1 << 20;
  uint32_t max_connections = 10000;
  // Peers trusted to supply X-Request-Id (and, with the security layer, X-Forwarded-For).
  ip::CidrSet trusted_proxies;
  // Optional admission of new connections (the security layer's per-IP cap). admit_connection
  // runs on the acceptor's thread with the normalised peer address; false closes the socket
  // at once. connection_closed runs (on the connection's thread) once for every admitted
  // connection when it ends. Both must be thread-safe.
  std::function<bool(const std::string& peer_ip)> admit_connection;
  std::function<void(const std::string& peer_ip)> connection_closed;
  // Optional: the real client of a connection relayed over loopback (the TLS front end);
  // nullopt keeps the peer address.
  std::function<std::optional<std::string>(const std::string& peer_ip, uint16_t peer_port)>
      resolve_peer;
};

}  // namespace parley::server
