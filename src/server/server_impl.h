// Internal to server/: the state HttpServer and its Sessions share. Not part of the API.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "server/http_server.h"

namespace parley::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using tcp_stream = beast::tcp_stream;  // its executor is the connection's io_context

class Session;

struct HttpServer::Impl {
  Impl(ServerOptions o, const http::Pipeline* p, obs::Logger* l, obs::Registry* m);

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Register(const std::shared_ptr<Session>& s);
  void Unregister(Session* s);
  void BeginShutdown();
  void CheckDrained();
  void StopAll();
  void Sweep();

  // Declared before the io_context so Sessions destroyed with its pending handlers can still
  // unregister themselves.
  ServerOptions opt;
  const http::Pipeline* pipeline;
  obs::Logger* log;
  std::atomic<bool> draining{false};
  std::atomic<int> busy{0};  // requests in flight
  std::mutex mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // guarded by mu
  obs::Gauge* open_connections;
  obs::Counter* accepted;
  obs::Counter* rejected_connections;
  obs::Family<obs::Counter>* transport_errors;

  // One io_context per I/O thread, each run by exactly one thread (as nginx runs one event loop
  // per worker): a connection lives on one context, so its handlers never race and no thread
  // has to wake another to hand over work. contexts[0] also runs the acceptor and timers.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  size_t next_context = 0;  // round-robin; used only by the acceptor's handler
  asio::io_context& main() { return *contexts[0]; }
  tcp::acceptor acceptor;
  asio::steady_timer drain_timer;
  asio::steady_timer accept_retry;
  asio::steady_timer sweep_timer;
  std::optional<asio::signal_set> signals;
  std::chrono::steady_clock::time_point drain_deadline;
};

}  // namespace parley::server
