#include "server/http_server.h"

#include <thread>
#include <vector>

#include "server/listen.h"
#include "server/server_impl.h"
#include "server/session.h"

namespace parley::server {
namespace {

std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
  if (threads < 1) threads = 1;
  std::vector<std::unique_ptr<asio::io_context>> out;
  for (int i = 0; i < threads; ++i) out.push_back(std::make_unique<asio::io_context>(1));
  return out;
}

}  // namespace

HttpServer::Impl::Impl(ServerOptions o, const http::Pipeline* p, obs::Logger* l, obs::Registry* m)
    : opt(std::move(o)),
      pipeline(p),
      log(l),
      contexts(MakeContexts(opt.io_threads)),
      acceptor(main()),
      drain_timer(main()),
      accept_retry(main()),
      sweep_timer(main()) {
  for (auto& c : contexts) guards.push_back(asio::make_work_guard(*c));
  open_connections =
      m->AddGauge("parley_http_open_connections", "Client connections currently open.")->With({});
  accepted =
      m->AddCounter("parley_http_connections_total", "Client connections accepted.")->With({});
  rejected_connections = m->AddCounter("parley_http_connections_rejected_total",
                                       "Connections closed at once because of max_connections.")
                             ->With({});
  transport_errors =
      m->AddCounter("parley_http_transport_errors_total",
                    "Requests that failed before reaching a handler, by reason.", {"reason"});
}

void HttpServer::Impl::Accept() {
  auto& ctx = *contexts[next_context++ % contexts.size()];
  acceptor.async_accept(
      ctx, [this](beast::error_code ec, tcp::socket s) { OnAccept(ec, std::move(s)); });
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
  std::string peer;
  if (!over && opt.admit_connection) {
    beast::error_code pec;
    const auto ep = socket.remote_endpoint(pec);
    const auto a = pec ? std::nullopt : ip::ParseAddress(ep.address().to_string());
    peer = a ? a->ToString() : std::string();
    if (opt.resolve_peer && a) {
      if (auto real = opt.resolve_peer(peer, ep.port())) peer = *real;
    }
    over = !opt.admit_connection(peer);
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
  asio::dispatch(main(), [this] {
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
      StopAll();
      return;
    }
    drain_timer.expires_after(std::chrono::milliseconds(20));
    drain_timer.async_wait([this](beast::error_code ec) {
      if (!ec) CheckDrained();
    });
  });
}

// Every 200 ms, closes connections whose current read or write is past its deadline.
void HttpServer::Impl::Sweep() {
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mu);
    live.reserve(sessions.size());
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->CheckDeadline(now);
  sweep_timer.expires_after(std::chrono::milliseconds(200));
  sweep_timer.async_wait([this](beast::error_code ec) {
    if (!ec) Sweep();
  });
}

void HttpServer::Impl::StopAll() {
  sweep_timer.cancel();
  guards.clear();
  for (auto& c : contexts) c->stop();
}

HttpServer::HttpServer(ServerOptions options, const http::Pipeline* pipeline, obs::Logger* log,
                       obs::Registry* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), pipeline, log, metrics)) {}

HttpServer::~HttpServer() = default;

Status HttpServer::Start() {
  auto& im = *impl_;
  if (Status s = Listen(im.acceptor, im.opt.host, im.opt.port); !s.ok()) return s;
  im.Accept();
  im.Sweep();
  return Status::Ok();
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  const auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void HttpServer::HandleSignals() {
  auto& im = *impl_;
  im.signals.emplace(im.main(), SIGINT, SIGTERM);
  im.signals->async_wait([this](beast::error_code ec, int sig) {
    if (ec) return;
    impl_->log->Info("signal received", {{"signal", sig}});
    Shutdown();
  });
}

void HttpServer::Run() {
  auto& im = *impl_;
  std::vector<std::thread> threads;
  for (size_t i = 1; i < im.contexts.size(); ++i) {
    threads.emplace_back([c = im.contexts[i].get()] { c->run(); });
  }
  im.main().run();
  for (auto& t : threads) t.join();
}

void HttpServer::Shutdown() { impl_->BeginShutdown(); }

}  // namespace parley::server
