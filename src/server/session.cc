#include "server/session.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <sstream>

#include "util/ip.h"

namespace parley::server {
namespace {

// Maps a Beast parse error to the answer the client gets.
Error ParseError(beast::error_code ec) {
  if (ec == bhttp::error::header_limit) {
    return MakeError(ErrorCode::kHeaderTooLarge, "request header fields too large");
  }
  if (ec == bhttp::error::body_limit) {
    return MakeError(ErrorCode::kPayloadTooLarge, "request body too large");
  }
  if (ec == bhttp::error::bad_transfer_encoding || ec == bhttp::error::bad_content_length ||
      ec == bhttp::error::multiple_content_length) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "conflicting or invalid Content-Length / Transfer-Encoding: " + ec.message(),
                     "bad_framing");
  }
  return MakeError(ErrorCode::kInvalidArgument, "malformed HTTP request: " + ec.message(),
                   "bad_request");
}

}  // namespace

Session::Session(tcp::socket socket, HttpServer::Impl* server)
    : socket_(std::move(socket)), server_(server) {
  beast::error_code ec;
  const auto ep = socket_.remote_endpoint(ec);
  if (!ec) {
    const auto a = ip::ParseAddress(ep.address().to_string());
    peer_ip_ = a ? a->ToString() : ep.address().to_string();
    peer_port_ = ep.port();
    if (server_->opt.resolve_peer) {
      if (auto real = server_->opt.resolve_peer(peer_ip_, peer_port_)) {
        peer_ip_ = *real;
        via_tls_ = true;
      }
    }
  }
  socket_.set_option(tcp::no_delay(true), ec);
}

Session::~Session() {
  if (busy_) server_->busy.fetch_sub(1);
  if (exchange_) exchange_->Finish({status_, 0, false});
  server_->Unregister(this);
  if (server_->opt.connection_closed) server_->opt.connection_closed(peer_ip_);
}

void Session::Start() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
}

void Session::CloseIfIdle() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    if (!self->busy_) {
      beast::error_code ec;
      self->socket_.close(ec);
    } else {
      self->close_after_ = true;
    }
  });
}

static int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Session::Arm(std::chrono::milliseconds timeout) {
  deadline_ns_.store(SteadyNanos() + std::chrono::nanoseconds(timeout).count(),
                     std::memory_order_relaxed);
}

void Session::CheckDeadline(int64_t now_ns) {
  const int64_t d = deadline_ns_.load(std::memory_order_relaxed);
  if (d == 0 || d > now_ns) return;
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    const int64_t d2 = self->deadline_ns_.load(std::memory_order_relaxed);
    if (d2 == 0 || d2 > SteadyNanos()) return;  // re-armed since the sweep looked
    self->timed_out_ = true;
    self->Disarm();
    beast::error_code ec;
    self->socket_.close(ec);
  });
}

void Session::ReadHeader() {
  if (server_->draining.load()) return CloseGracefully();
  parser_.emplace();
  parser_->header_limit(server_->opt.max_header_bytes);
  parser_->body_limit(server_->opt.max_body_bytes);
  Arm(server_->opt.header_timeout);
  bhttp::async_read_header(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
}

void Session::OnHeader(beast::error_code ec) {
  Disarm();
  if (ec) return OnReadError(ec);
  busy_ = true;
  server_->busy.fetch_add(1);
  const auto& req = parser_->get();
  size_t count = 0;
  for (auto it = req.begin(); it != req.end(); ++it) ++count;
  if (count > server_->opt.max_header_count) {
    close_after_ = true;
    return Dispatch(MakeError(ErrorCode::kHeaderTooLarge,
                              "too many header fields: " + std::to_string(count) + " (limit " +
                                  std::to_string(server_->opt.max_header_count) + ")"));
  }
  if (const auto len = parser_->content_length(); len && *len > server_->opt.max_body_bytes) {
    close_after_ = true;
    return Dispatch(MakeError(ErrorCode::kPayloadTooLarge,
                              "request body of " + std::to_string(*len) +
                                  " bytes is over the limit of " +
                                  std::to_string(server_->opt.max_body_bytes) + " bytes"));
  }
  if (req.target().empty() || req.target().front() != '/') {
    close_after_ = true;
    return Dispatch(MakeError(ErrorCode::kInvalidArgument,
                              "request target must be an absolute path", "bad_request"));
  }
  if (beast::iequals(req[bhttp::field::expect], "100-continue") && !parser_->is_done()) {
    static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    Arm(server_->opt.write_timeout);
    asio::async_write(socket_, asio::buffer(kContinue, sizeof kContinue - 1),
                      [self = shared_from_this()](beast::error_code wec, size_t) {
                        if (wec) return self->OnReadError(wec);
                        self->ReadBody();
                      });
    return;
  }
  ReadBody();
}

void Session::ReadBody() {
  if (parser_->is_done()) return Dispatch(std::nullopt);
  Arm(server_->opt.body_timeout);
  bhttp::async_read(
      socket_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  Disarm();
  if (ec) return OnReadError(ec);
  Dispatch(std::nullopt);
}

void Session::OnReadError(beast::error_code ec) {
  if (timed_out_) ec = beast::error::timeout;
  const bool started = busy_ || (parser_ && parser_->got_some());
  if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted ||
      ec == asio::error::connection_reset || ec == asio::error::eof) {
    if (started) server_->transport_errors->With({"client_closed"})->Inc();
    return;  // the session ends when the last handler releases it
  }
  if (ec == beast::error::timeout) {
    // The sweeper has closed the socket; nothing can be sent.
    if (started) server_->transport_errors->With({"timeout"})->Inc();
    if (started && server_->log->Enabled(obs::Level::kInfo)) {
      server_->log->Info("request timed out",
                         {{"peer", peer_ip_}, {"stage", busy_ ? "body" : "header"}});
    }
    return;
  }
  server_->transport_errors->With({"bad_request"})->Inc();
  if (!busy_) {
    busy_ = true;
    server_->busy.fetch_add(1);
  }
  close_after_ = true;
  Dispatch(ParseError(ec));
}

void Session::Dispatch(std::optional<Error> early_error) {
  http::Request req;
  auto& br = parser_->get();
  req.method = std::string(br.method_string());
  req.target = std::string(br.target());
  const auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = req.target.substr(q + 1);
  req.headers.reserve(8);
  for (const auto& f : br) req.headers.emplace_back(f.name_string(), f.value());
  req.keep_alive = br.keep_alive();
  if (!early_error) req.body = std::move(br.body());
  req.peer_ip = peer_ip_;
  req.peer_port = peer_port_;
  req.tls = via_tls_;

  exchange_ = std::make_shared<http::Exchange>(std::move(req), shared_from_this());
  if (early_error) exchange_->set_pending_error(std::move(*early_error));
  server_->pipeline->Dispatch(exchange_);
}

template <typename F>
void Session::OnConnectionThread(F&& f) {
  asio::dispatch(socket_.get_executor(), std::forward<F>(f));
}

void Session::Send(http::Response&& r) {
  OnConnectionThread(
      [self = shared_from_this(), r = std::move(r)]() mutable { self->Write(std::move(r)); });
}

void Session::StartStream(http::Response&& head) {
  OnConnectionThread([self = shared_from_this(), h = std::move(head)]() mutable {
    self->DoStartStream(std::move(h));
  });
}

void Session::StreamWrite(std::string&& data) {
  OnConnectionThread([self = shared_from_this(), d = std::move(data)]() mutable {
    self->stream_body_bytes_ += d.size();
    char size[20];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", d.size());
    std::string chunk;
    chunk.reserve(d.size() + n + 2);
    chunk.append(size, n).append(d).append("\r\n");
    self->QueueStream(std::move(chunk), false);
  });
}

void Session::StreamEnd() {
  OnConnectionThread([self = shared_from_this()] { self->QueueStream("0\r\n\r\n", true); });
}

void Session::WatchForDisconnect() {
  OnConnectionThread([self = shared_from_this()] { self->WatchPeer(); });
}

// While a request is being handled nothing reads the socket, so a client that hangs up would go
// unnoticed until the response is written. Waiting for readability and peeking tells a hang-up
// (EOF or reset) from a client that merely sent its next request early. One wait at a time.
void Session::WatchPeer() {
  if (watch_pending_ || !exchange_) return;
  watch_pending_ = true;
  socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
    self->watch_pending_ = false;
    if (ec || !self->exchange_) return;
    char c;
    const ssize_t n = ::recv(self->socket_.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
      self->exchange_->Cancel();
      self->close_after_ = true;
    }
  });
}

void Session::DoStartStream(http::Response&& r) {
  bhttp::response<bhttp::empty_body> head;
  head.version(11);
  head.result(static_cast<unsigned>(r.status));
  head.set(bhttp::field::server, "parley");
  head.set(bhttp::field::content_type, r.content_type);
  for (auto& [k, v] : r.headers) head.insert(k, v);
  stream_keep_alive_ =
      exchange_ && exchange_->request().keep_alive && !close_after_ && !server_->draining.load();
  head.keep_alive(stream_keep_alive_);
  head.chunked(true);
  status_ = r.status;
  streaming_ = true;
  stream_body_bytes_ = 0;
  std::ostringstream os;
  os << head.base();
  QueueStream(os.str(), false);
}

void Session::QueueStream(std::string&& bytes, bool last) {
  if (!streaming_ || stream_last_queued_) return;
  stream_pending_ += bytes;
  stream_last_queued_ = last;
  if (stream_pending_.size() > kMaxStreamBacklog) {
    server_->transport_errors->With({"slow_stream_reader"})->Inc();
    if (exchange_) exchange_->Cancel();
    beast::error_code ec;
    socket_.close(ec);
    return;
  }
  PumpStream();
}

void Session::PumpStream() {
  if (stream_writing_ || stream_pending_.empty()) return;
  stream_writing_ = true;
  stream_inflight_.swap(stream_pending_);
  stream_pending_.clear();
  Arm(server_->opt.write_timeout);
  asio::async_write(socket_, asio::buffer(stream_inflight_),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      self->Disarm();
                      self->stream_writing_ = false;
                      self->stream_inflight_.clear();
                      if (ec) {
                        if (self->exchange_) self->exchange_->Cancel();
                        self->streaming_ = false;
                        return self->AfterResponse(false, false, self->stream_body_bytes_);
                      }
                      if (!self->stream_pending_.empty()) return self->PumpStream();
                      if (self->stream_last_queued_) {
                        self->streaming_ = false;
                        self->stream_last_queued_ = false;
                        self->AfterResponse(true, self->stream_keep_alive_ && !self->close_after_,
                                            self->stream_body_bytes_);
                      }
                    });
}

void Session::Write(http::Response&& r) {
  res_ = {};
  res_.version(11);
  res_.result(static_cast<unsigned>(r.status));
  res_.set(bhttp::field::server, "parley");
  res_.set(bhttp::field::content_type, r.content_type);
  for (auto& [k, v] : r.headers) res_.insert(k, v);
  res_.body() = std::move(r.body);
  const bool keep = exchange_ && exchange_->request().keep_alive && !r.close && !close_after_ &&
                    !server_->draining.load();
  res_.keep_alive(keep);
  res_.prepare_payload();
  status_ = r.status;
  Arm(server_->opt.write_timeout);
  bhttp::async_write(socket_, res_, [self = shared_from_this()](beast::error_code ec, size_t n) {
    self->OnWrite(ec, n);
  });
}

void Session::OnWrite(beast::error_code ec, size_t) {
  Disarm();
  AfterResponse(!ec, res_.keep_alive(), res_.body().size());
}

void Session::AfterResponse(bool ok, bool keep, uint64_t body_bytes) {
  if (exchange_) {
    exchange_->Finish({status_, body_bytes, ok});
    exchange_.reset();
  }
  if (busy_) {
    busy_ = false;
    server_->busy.fetch_sub(1);
    if (server_->draining.load()) server_->CheckDrained();
  }
  if (!ok) return;
  if (!keep) return CloseGracefully();
  ReadHeader();
}

void Session::CloseGracefully() {
  beast::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return;
  Linger();
}

// Reads and discards what the client still sends for a short while after we stopped writing,
// so a response to a rejected request is not destroyed by a TCP reset (closing a socket with
// unread data makes the kernel send RST).
void Session::Linger() {
  Arm(std::chrono::seconds(2));
  socket_.async_read_some(asio::buffer(linger_buf_),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->lingered_ += n;
                            if (ec || self->lingered_ > (1u << 20)) {
                              self->Disarm();
                              return;
                            }
                            self->Linger();
                          });
}

}  // namespace parley::server
