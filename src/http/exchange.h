// One request/response exchange. The transport creates it with the parsed Request and its
// ResponseChannel; the pipeline and the handler fill in routing data and eventually answer, from
// any thread, either once with Respond() or as a stream: StartStream(), StreamWrite()..., and
// StreamEnd() (a chunked response; SSE is built on it in http/sse.h). Later answers are ignored.
//
// Middleware that needs to see the outcome (access log, metrics, audit) registers an OnFinish
// hook; the transport runs the hooks, most recent first, on the connection's thread once the
// response has been written or the connection has failed.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/message.h"
#include "util/result.h"

namespace parley::http {

struct RouteInfo;

struct FinishInfo {
  int status = 0;
  uint64_t bytes_sent = 0;  // body bytes
  bool completed = true;    // false when the connection failed before the response was written
};

// Implemented by the transport. Calls may come from any thread; the transport serialises them
// onto the connection's thread, in call order.
class ResponseChannel {
 public:
  virtual ~ResponseChannel() = default;
  virtual void Send(Response&& response) = 0;
  virtual void StartStream(Response&& head) = 0;  // status, type and headers; body ignored
  virtual void StreamWrite(std::string&& data) = 0;
  virtual void StreamEnd() = 0;
  // Start noticing the client hanging up (Exchange::Cancel). Asked for lazily, by work that
  // polls cancelled(): watching costs a system call per request, which quick answers need not pay.
  virtual void WatchForDisconnect() {}
};

class Exchange {
 public:
  using FinishHook = std::function<void(const Exchange&, const FinishInfo&)>;

  Exchange(Request request, std::shared_ptr<ResponseChannel> channel)
      : request_(std::move(request)),
        channel_(std::move(channel)),
        start_(std::chrono::steady_clock::now()) {}

  Request& request() { return request_; }
  const Request& request() const { return request_; }
  std::chrono::steady_clock::time_point start() const { return start_; }

  // The route the router matched, or nullptr (unknown path, wrong method, transport error).
  const RouteInfo* route() const { return route_; }
  void set_route(const RouteInfo* route) { route_ = route; }

  // An error decided before any handler runs: by the transport (bad header, body too large) or
  // by routing (404, 405). The pipeline answers with it; middleware still observes the exchange.
  const Error* pending_error() const { return pending_error_.get(); }
  void set_pending_error(Error e) { pending_error_ = std::make_unique<Error>(std::move(e)); }

  // Headers every response of this exchange carries (e.g. X-Request-Id), set by middleware.
  void AddResponseHeader(std::string name, std::string value) {
    extra_headers_.emplace_back(std::move(name), std::move(value));
  }

  void Respond(Response response);
  void RespondError(const Error& error);
  bool responded() const { return responded_.load(); }

  // Streaming: StartStream once (instead of Respond), then any number of writes, then the end.
  // Writes after the client has gone are dropped; check cancelled() to stop producing.
  void StartStream(int status, std::string content_type, Headers headers = {});
  void StreamWrite(std::string data);
  void StreamEnd();

  void OnFinish(FinishHook hook) { finish_hooks_.push_back(std::move(hook)); }

  // Sees the response body as it is sent (whole, or each streamed chunk), on the responding
  // thread; for middleware that records what left (e.g. the audit log's output digest).
  using BodyObserver = std::function<void(std::string_view)>;
  void ObserveBody(BodyObserver observer) { body_observer_ = std::move(observer); }
  // Called by the transport, once.
  void Finish(const FinishInfo& info);

  // Set by the transport when the client went away; long-running work checks it (the first
  // check asks the transport to start watching).
  bool cancelled() const {
    if (channel_ && !watching_.load(std::memory_order_relaxed) &&
        !watching_.exchange(true, std::memory_order_relaxed)) {
      channel_->WatchForDisconnect();
    }
    return cancelled_.load(std::memory_order_relaxed);
  }
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }

 private:
  Request request_;
  std::shared_ptr<ResponseChannel> channel_;
  std::chrono::steady_clock::time_point start_;
  const RouteInfo* route_ = nullptr;
  std::unique_ptr<Error> pending_error_;
  Headers extra_headers_;
  std::vector<FinishHook> finish_hooks_;
  BodyObserver body_observer_;
  std::atomic<bool> responded_{false};
  std::atomic<bool> finished_{false};
  std::atomic<bool> stream_ended_{false};
  std::atomic<bool> cancelled_{false};
  mutable std::atomic<bool> watching_{false};
};

using ExchangePtr = std::shared_ptr<Exchange>;

}  // namespace parley::http
