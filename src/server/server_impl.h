// Internal to server/: the state HttpServer and its Sessions share. Not part of the API.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <atomic>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "server/http_server.h"

namespace parley::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using tcp_stream = beast::tcp_stream;  // its executor is the strand the socket was accepted on

class Session;

struct HttpServer::Impl {
  Impl(ServerOptions o, const http::Pipeline* p, obs::Logger* l, obs::Registry* m);

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Register(const std::shared_ptr<Session>& s);
  void Unregister(Session* s);
  void BeginShutdown();
  void CheckDrained();

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

  asio::io_context ioc;
  asio::strand<asio::io_context::executor_type> accept_strand;
  tcp::acceptor acceptor;
  asio::steady_timer drain_timer;
  asio::steady_timer accept_retry;
  std::optional<asio::signal_set> signals;
  std::chrono::steady_clock::time_point drain_deadline;
};

}  // namespace parley::server
