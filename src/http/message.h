// Transport-neutral HTTP request and response values. The server (Beast) converts to and from
// these, so handlers, middleware and tests never see transport types. Plain data; a Request is
// owned by its Exchange and a Response is moved into Exchange::Respond.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // the request target as sent, e.g. "/v1/kb/search?q=x"
  std::string path;    // target without the query
  std::string query;   // after '?', not decoded
  Headers headers;
  std::string body;
  bool keep_alive = true;

  std::string peer_ip;  // TCP peer, normalised (IPv4-mapped IPv6 shown as IPv4)
  uint16_t peer_port = 0;

  // Filled in by the pipeline.
  std::string request_id;
  std::string route;  // the matched route pattern, e.g. "/v1/kb/documents/{id}"; "" if none
  std::vector<std::pair<std::string, std::string>> params;  // path parameters
  // Filled in by the security layer: the client behind trusted proxies, and who is calling
  // ("key:<id>", "jwt:<sub>", "anonymous"; "" on public routes). Rate limits key on principal.
  std::string client_ip;
  std::string principal;
  bool tls = false;  // arrived through the HTTPS front end

  // Case-insensitive lookup; the first value, or "" when absent.
  std::string_view Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  std::string_view Param(std::string_view name) const;
  // A query parameter, percent-decoded; nullopt-like "" with found=false when absent.
  std::string QueryParam(std::string_view name, bool* found = nullptr) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  std::string body;
  bool close = false;  // close the connection after sending

  static Response Json(int status, std::string body) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    return r;
  }
  static Response Text(int status, std::string body,
                       std::string type = "text/plain; charset=utf-8") {
    Response r;
    r.status = status;
    r.content_type = std::move(type);
    r.body = std::move(body);
    return r;
  }
};

// Decodes %XX escapes (and '+' as space when form is true); returns false on a bad escape.
bool PercentDecode(std::string_view in, std::string* out, bool form = false);

}  // namespace parley::http
