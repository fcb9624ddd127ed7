#include "server/tls_frontend.h"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "server/listen.h"
#include "util/ip.h"

namespace parley::server {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

Result<std::shared_ptr<ssl::context>> MakeContext(const TlsOptions& o) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  SSL_CTX* raw = ctx->native_handle();
  SSL_CTX_set_min_proto_version(raw, o.tls13_only ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(raw,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  SSL_CTX_set_options(
      raw, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  error_code ec;
  ctx->use_certificate_chain_file(o.cert_file, ec);
  if (ec) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "tls.cert_file " + o.cert_file + ": " + ec.message());
  }
  ctx->use_private_key_file(o.key_file, ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(raw) != 1) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "tls.key_file " + o.key_file + ": not the key of the certificate");
  }
  return ctx;
}

}  // namespace

struct TlsFrontend::Impl {
  TlsOptions opt;
  uint16_t backend_port = 0;
  obs::Logger* log = nullptr;
  // Declared before the io_context: relays destroyed with its handlers still use them.
  mutable std::mutex mu;
  std::shared_ptr<ssl::context> ctx;                  // guarded by mu
  std::unordered_map<uint16_t, std::string> clients;  // guarded by mu: relay port -> client
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::optional<asio::signal_set> sighup;
  std::thread thread;

  std::shared_ptr<ssl::context> Context() {
    std::lock_guard lock(mu);
    return ctx;
  }
  void Accept();
  void WatchSighup(TlsFrontend* fe);
};

namespace {

// One relayed connection: TLS from the client, plaintext to the HTTP listener.
class Relay : public std::enable_shared_from_this<Relay> {
 public:
  Relay(tcp::socket s, std::shared_ptr<ssl::context> ctx, TlsFrontend::Impl* fe)
      : ctx_(std::move(ctx)), tls_(std::move(s), *ctx_), up_(tls_.get_executor()), fe_(fe) {
    error_code ec;
    const auto ep = tls_.next_layer().remote_endpoint(ec);
    const auto a = ec ? std::nullopt : ip::ParseAddress(ep.address().to_string());
    client_ = a ? a->ToString() : "";
  }
  ~Relay() {
    if (relay_port_) {
      std::lock_guard lock(fe_->mu);
      fe_->clients.erase(relay_port_);
    }
  }

  void Start() {
    tls_.async_handshake(ssl::stream_base::server,
                         [self = shared_from_this()](error_code ec) { self->OnHandshake(ec); });
  }

 private:
  void OnHandshake(error_code ec) {
    if (ec) return;
    const tcp::endpoint backend(asio::ip::make_address("127.0.0.1"), fe_->backend_port);
    up_.open(tcp::v4(), ec);
    if (!ec) up_.bind(tcp::endpoint(backend.address(), 0), ec);
    if (ec) return;
    relay_port_ = up_.local_endpoint(ec).port();
    {
      std::lock_guard lock(fe_->mu);
      fe_->clients[relay_port_] = client_;  // recorded before the server can accept it
    }
    up_.async_connect(backend, [self = shared_from_this()](error_code e) {
      if (e) return;
      self->up_.set_option(tcp::no_delay(true), e);
      self->PumpDown();
      self->PumpUp();
    });
  }
  // Client -> server.
  void PumpUp() {
    tls_.async_read_some(asio::buffer(in_), [self = shared_from_this()](error_code ec, size_t n) {
      if (ec) return self->Close();
      asio::async_write(self->up_, asio::buffer(self->in_.data(), n),
                        [self](error_code e, size_t) { e ? self->Close() : self->PumpUp(); });
    });
  }
  // Server -> client.
  void PumpDown() {
    up_.async_read_some(asio::buffer(out_), [self = shared_from_this()](error_code ec, size_t n) {
      if (ec) return self->Close();
      asio::async_write(self->tls_, asio::buffer(self->out_.data(), n),
                        [self](error_code e, size_t) { e ? self->Close() : self->PumpDown(); });
    });
  }
  void Close() {
    if (closed_) return;
    closed_ = true;
    error_code ec;
    up_.shutdown(tcp::socket::shutdown_both, ec);
    up_.close(ec);
    tls_.next_layer().shutdown(tcp::socket::shutdown_both, ec);
    tls_.next_layer().close(ec);
  }

  std::shared_ptr<ssl::context> ctx_;  // outlives the stream even across a reload
  ssl::stream<tcp::socket> tls_;
  tcp::socket up_;
  TlsFrontend::Impl* fe_;
  std::string client_;
  uint16_t relay_port_ = 0;
  bool closed_ = false;
  std::array<char, 16384> in_{}, out_{};
};

}  // namespace

void TlsFrontend::Impl::Accept() {
  acceptor.async_accept([this](error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) std::make_shared<Relay>(std::move(s), Context(), this)->Start();
    Accept();
  });
}

void TlsFrontend::Impl::WatchSighup(TlsFrontend* fe) {
  sighup->async_wait([this, fe](error_code ec, int) {
    if (ec) return;
    const Status s = fe->Reload();
    if (log) {
      if (s.ok()) {
        log->Info("tls certificate reloaded", {{"cert_file", opt.cert_file}});
      } else {
        log->Error("tls certificate reload failed; keeping the old one",
                   {{"error", s.error().message}});
      }
    }
    WatchSighup(fe);
  });
}

TlsFrontend::TlsFrontend(TlsOptions options, obs::Logger* log) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
  impl_->log = log;
}

TlsFrontend::~TlsFrontend() { Stop(); }

Status TlsFrontend::Start(uint16_t backend_port) {
  auto& im = *impl_;
  im.backend_port = backend_port;
  auto ctx = MakeContext(im.opt);
  if (!ctx.ok()) return ctx.error();
  im.ctx = *ctx;
  if (Status s = Listen(im.acceptor, im.opt.host, im.opt.port); !s.ok()) return s;
  im.Accept();
  im.sighup.emplace(im.io, SIGHUP);
  im.WatchSighup(this);
  im.thread = std::thread([&im] { im.io.run(); });
  return Status::Ok();
}

uint16_t TlsFrontend::port() const {
  error_code ec;
  const auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

Status TlsFrontend::Reload() {
  auto ctx = MakeContext(impl_->opt);
  if (!ctx.ok()) return ctx.error();
  std::lock_guard lock(impl_->mu);
  impl_->ctx = *ctx;
  return Status::Ok();
}

void TlsFrontend::Stop() {
  auto& im = *impl_;
  if (!im.thread.joinable()) return;
  asio::post(im.io, [&im] {
    error_code ec;
    im.acceptor.close(ec);
    if (im.sighup) im.sighup->cancel();
  });
  im.io.stop();
  im.thread.join();
}

std::optional<std::string> TlsFrontend::ClientOf(uint16_t relay_port) const {
  std::lock_guard lock(impl_->mu);
  const auto it = impl_->clients.find(relay_port);
  if (it == impl_->clients.end()) return std::nullopt;
  return it->second;
}

}  // namespace parley::server
