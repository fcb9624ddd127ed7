// libFuzzer harness: raw bytes through the HTTP/1.1 request parser the server uses (Beast,
// with the server's default limits), then the request-derived code every request reaches:
// percent-decoding, query parameters, routing, and client-address resolution.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/router.h"
#include "security/network.h"
#include "util/ip.h"

namespace bhttp = boost::beast::http;
using namespace parley;

static const http::Router& TheRouter() {
  static http::Router* r = [] {
    auto* r = new http::Router;
    for (const char* p : {"/health", "/v1/kb/documents/{id}", "/v1/kb/documents/{id}/chunks/{n}",
                          "/admin/keys/{id}/rotate"}) {
      r->AddSync("GET", p, [](const http::Request&) { return http::Response{}; });
    }
    return r;
  }();
  return *r;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  const auto& msg = parser.get();
  http::Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  const size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  req.query = q == std::string::npos ? "" : req.target.substr(q + 1);
  for (const auto& f : msg) req.headers.emplace_back(f.name_string(), f.value());
  req.peer_ip = "127.0.0.1";
  std::string decoded;
  http::PercentDecode(req.path, &decoded);
  bool found = false;
  req.QueryParam("q", &found);
  TheRouter().Find(req.method, req.path);
  static const ip::CidrSet trusted({*ip::ParseCidr("127.0.0.0/8"), *ip::ParseCidr("::1")});
  const std::string client = security::ClientIp(req, trusted);
  if (client.empty()) __builtin_trap();
  return 0;
}
