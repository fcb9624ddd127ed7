#include "server/http_server.h"

#include <thread>
#include <vector>

#include "server/server_impl.h"
#include "server/session.h"

namespace parley::server {

HttpServer::Impl::Impl(ServerOptions o, const http::Pipeline* p, obs::Logger* l,
                       obs::Registry* m)
    : opt(std::move(o)), pipeline(p), log(l), accept_strand(asio::make_strand(ioc)),
      acceptor(accept_strand), drain_timer(ioc), accept_retry(accept_strand) {
  open_connections =
      m->AddGauge("parley_http_open_connections", "Client connections currently open.")->With({});
  accepted = m->AddCounter("parley_http_connections_total", "Client connections accepted.")->With({});
  rejected_connections = m->AddCounter("parley_http_connections_rejected_total",
                                       "Connections closed at once because of max_connections.")
                             ->With({});
  transport_errors = m->AddCounter("parley_http_transport_errors_total",
                                   "Requests that failed before reaching a handler, by reason.",
                                   {"reason"});
}

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc),
                        [this](beast::error_code ec, tcp::socket s) { OnAccept(ec, std::move(s)); });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (draining.load() || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Typically EMFILE: back off briefly instead of spinning on the error.
    log->Warn("accept failed", {{"error", ec.message()}});
    accept_retry.expires_after(std::chrono::milliseconds(50));
    accept_retry.async_wait([this](beast::error_code wec) {
      if (!wec && !draining.load()) Accept();
    });
    return;
  }
  accepted->Inc();
  bool over = false;
  {
    std::lock_guard lock(mu);
    over = sessions.size() >= opt.max_connections;
  }
  if (over) {
    rejected_connections->Inc();
    beast::error_code ignored;
    socket.close(ignored);
  } else {
    auto s = std::make_shared<Session>(std::move(socket), this);
    Register(s);
    s->Start();
  }
  Accept();
}

void HttpServer::Impl::Register(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(mu);
  sessions.emplace(s.get(), s);
  open_connections->Set(static_cast<double>(sessions.size()));
}

void HttpServer::Impl::Unregister(Session* s) {
  std::lock_guard lock(mu);
  sessions.erase(s);
  open_connections->Set(static_cast<double>(sessions.size()));
}

void HttpServer::Impl::BeginShutdown() {
  if (draining.exchange(true)) return;
  log->Info("shutting down", {{"in_flight", busy.load()}});
  asio::dispatch(accept_strand, [this] {
    beast::error_code ec;
    acceptor.close(ec);
    accept_retry.cancel();
  });
  if (signals) signals->cancel();
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mu);
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->CloseIfIdle();
  drain_deadline = std::chrono::steady_clock::now() + opt.shutdown_grace;
  CheckDrained();
}

// Polls until no request is in flight or the grace period is over, then stops the loop.
void HttpServer::Impl::CheckDrained() {
  asio::post(drain_timer.get_executor(), [this] {
    if (busy.load() == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      if (busy.load() > 0) log->Warn("shutdown grace period over", {{"in_flight", busy.load()}});
      ioc.stop();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([this](beast::error_code ec) {
      if (!ec) CheckDrained();
    });
  });
}

HttpServer::HttpServer(ServerOptions options, const http::Pipeline* pipeline, obs::Logger* log,
                       obs::Registry* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), pipeline, log, metrics)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() {
  auto& im = *impl_;
  beast::error_code ec;
  const auto addr = asio::ip::make_address(im.opt.host, ec);
  if (ec) {
    return MakeError(ErrorCode::kInvalidArgument, "invalid listen address '" + im.opt.host + "'");
  }
  const tcp::endpoint ep(addr, im.opt.port);
  im.acceptor.open(ep.protocol(), ec);
  if (!ec) im.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) im.acceptor.bind(ep, ec);
  if (!ec) im.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorCode::kUnavailable, "cannot listen on " + im.opt.host + ":" +
                                                  std::to_string(im.opt.port) + ": " + ec.message());
  }
  im.Accept();
  return Status::Ok();
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  const auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void HttpServer::HandleSignals() {
  auto& im = *impl_;
  im.signals.emplace(im.ioc, SIGINT, SIGTERM);
  im.signals->async_wait([this](beast::error_code ec, int sig) {
    if (ec) return;
    impl_->log->Info("signal received", {{"signal", sig}});
    Shutdown();
  });
}

void HttpServer::Run() {
  auto& im = *impl_;
  int n = im.opt.io_threads > 0 ? im.opt.io_threads
                                : static_cast<int>(std::thread::hardware_concurrency());
  if (n < 1) n = 1;
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back([&im] { im.ioc.run(); });
  im.ioc.run();
  for (auto& t : threads) t.join();
}

void HttpServer::Shutdown() { impl_->BeginShutdown(); }

}  // namespace parley::server
