// The HTTPS listener: terminates TLS (OpenSSL 3 through Boost.Asio ssl; TLS 1.2 minimum,
// forward-secret AEAD ciphers) and relays each connection's plaintext to the HTTP listener
// over loopback, so the HTTP session code serves both without knowing about TLS. The HTTP
// server learns the real client address of a relayed connection through ClientOf(): each
// relay binds its loopback socket before connecting and records local port -> client.
//
// Runs its own I/O thread. Reload() (thread-safe; run on SIGHUP) re-reads the
// certificate and key; new handshakes use them, established connections are not dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "obs/logger.h"
#include "util/result.h"

namespace parley::server {

struct TlsOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string cert_file, key_file;  // PEM; the certificate file may hold the chain
  bool tls13_only = false;
};

class TlsFrontend {
 public:
  TlsFrontend(TlsOptions options, obs::Logger* log);
  ~TlsFrontend();
  TlsFrontend(const TlsFrontend&) = delete;
  TlsFrontend& operator=(const TlsFrontend&) = delete;

  // Loads the certificate, binds, starts the I/O thread (which also reloads on SIGHUP);
  // connections are relayed to 127.0.0.1:backend_port.
  Status Start(uint16_t backend_port);
  uint16_t port() const;
  Status Reload();
  void Stop();

  // The client behind a relayed connection the HTTP server sees from 127.0.0.1:relay_port.
  std::optional<std::string> ClientOf(uint16_t relay_port) const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::server
