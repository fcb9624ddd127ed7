// One HTTP/1.1 connection: reads a request (header then body, each under its own timeout and
// size limits), hands it to the pipeline as an http::Exchange, writes the response, and loops
// while the connection is kept alive. All members are used only on the connection's I/O thread;
// Exchange::Respond may be called from any thread and is posted onto that thread.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>

#include "http/exchange.h"
#include "server/server_impl.h"

namespace parley::server {

class Session : public std::enable_shared_from_this<Session>, public http::ResponseChannel {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server);
  ~Session() override;

  // http::ResponseChannel; any thread.
  void Send(http::Response&& response) override;
  void StartStream(http::Response&& head) override;
  void StreamWrite(std::string&& data) override;
  void StreamEnd() override;
  void WatchForDisconnect() override;

  void Start();
  // Closes the connection unless a request is being handled; called during shutdown.
  void CloseIfIdle();
  // Called by the server's sweeper (any thread): closes the connection if its current read or
  // write has passed its deadline.
  void CheckDeadline(int64_t now_ns);

 private:
  void ReadHeader();
  void OnHeader(beast::error_code ec);
  void ReadBody();
  void OnBody(beast::error_code ec);
  void Dispatch(std::optional<Error> early_error);
  void Write(http::Response&& response);
  void OnWrite(beast::error_code ec, size_t bytes);
  void AfterResponse(bool ok, bool keep_alive, uint64_t body_bytes);
  void WatchPeer();
  void DoStartStream(http::Response&& head);
  void QueueStream(std::string&& bytes, bool last);
  void PumpStream();
  template <typename F>
  void OnConnectionThread(F&& f);
  void OnReadError(beast::error_code ec);
  void CloseGracefully();
  void Linger();
  void Arm(std::chrono::milliseconds timeout);
  void Disarm() { deadline_ns_.store(0, std::memory_order_relaxed); }

  // Timeouts are deadlines checked by a coarse sweeper (HttpServer::Impl::Sweep) rather than a
  // timer per operation, which would cost timer-queue work and syscalls on every request.
  std::atomic<int64_t> deadline_ns_{0};  // steady-clock ns; 0 = no operation pending
  bool timed_out_ = false;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> res_;
  http::ExchangePtr exchange_;
  HttpServer::Impl* server_;
  std::string peer_ip_;
  uint16_t peer_port_ = 0;
  bool via_tls_ = false;        // relayed by the TLS front end
  bool busy_ = false;           // a request is between header and written response
  bool close_after_ = false;    // close once the current response is written
  bool watch_pending_ = false;  // an async_wait for the peer hanging up is outstanding
  int status_ = 0;
  char linger_buf_[4096];
  size_t lingered_ = 0;

  // Streamed (chunked) response state.
  static constexpr size_t kMaxStreamBacklog = 4 << 20;  // a client this far behind is dropped
  bool streaming_ = false;
  bool stream_keep_alive_ = false;
  bool stream_writing_ = false;
  bool stream_last_queued_ = false;
  std::string stream_pending_;   // framed bytes not yet handed to the socket
  std::string stream_inflight_;  // bytes being written
  uint64_t stream_body_bytes_ = 0;
};

}  // namespace parley::server
