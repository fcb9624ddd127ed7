#include "server/listen.h"

namespace parley::server {

Status Listen(boost::asio::ip::tcp::acceptor& acceptor, const std::string& host, uint16_t port) {
  namespace asio = boost::asio;
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(host, ec);
  if (ec) return MakeError(ErrorCode::kInvalidArgument, "invalid listen address '" + host + "'");
  const asio::ip::tcp::endpoint ep(addr, port);
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorCode::kUnavailable,
                     "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  }
  return Status::Ok();
}

}  // namespace parley::server
