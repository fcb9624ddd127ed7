// The HTTP/1.1 transport over Boost.Beast: an acceptor, one Session per connection, and N I/O
// threads each running its own io_context; connections are spread over them round-robin and
// stay on one thread for life. Requests become http::Exchange objects handed to the Pipeline;
// responses come back via Exchange::Respond from any thread.
//
// Lifecycle: Start() binds (port() is then known), Run() blocks running the I/O threads until
// shutdown completes. Shutdown() (thread-safe; also wired to SIGINT/SIGTERM by HandleSignals)
// stops accepting, closes idle connections, lets in-flight requests finish and closes their
// connections after the response, and gives up after shutdown_grace.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "http/router.h"
#include "obs/logger.h"
#include "obs/metrics.h"
#include "server/server_options.h"
#include "util/result.h"

namespace parley::server {

class HttpServer {
 public:
  HttpServer(ServerOptions options, const http::Pipeline* pipeline, obs::Logger* log,
             obs::Registry* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  Status Start();
  uint16_t port() const;
  void HandleSignals();  // SIGINT/SIGTERM -> Shutdown(); call after Start, before Run
  void Run();
  void Shutdown();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::server
