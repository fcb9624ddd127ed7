// Opening a listening socket from a configured host and port, for the HTTP listener and the TLS
// front end alike. Start-up only.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

#include "util/result.h"

namespace parley::server {

// Binds and listens (address reuse on); errors name the address and the reason.
Status Listen(boost::asio::ip::tcp::acceptor& acceptor, const std::string& host, uint16_t port);

}  // namespace parley::server
