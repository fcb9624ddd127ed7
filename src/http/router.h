// Routes (method + path pattern -> handler) and the middleware pipeline in front of them.
//
// Patterns are literal segments and {name} parameters: "/v1/kb/documents/{id}". Routes are added
// at start-up, before Seal(); afterwards the router and pipeline are read-only and Dispatch() may
// run on any number of threads at once.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/exchange.h"

namespace parley::http {

using Handler = std::function<void(const ExchangePtr&)>;
using SyncHandler = std::function<Response(const Request&)>;
using Middleware = std::function<void(const ExchangePtr&, const Handler& next)>;

struct RouteInfo {
  std::string method;
  std::string pattern;
  Handler handler;
  std::vector<std::string> segments;  // pattern split on '/'
  bool has_params = false;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler);
  // Convenience for handlers that answer at once on the calling thread.
  void AddSync(std::string method, std::string pattern, SyncHandler handler);

  struct Match {
    const RouteInfo* route = nullptr;
    std::vector<std::pair<std::string, std::string>> params;
    std::string allow;  // methods the path supports, when it exists but the method does not
  };
  Match Find(std::string_view method, std::string_view path) const;
  std::vector<const RouteInfo*> routes() const;

 private:
  std::vector<std::unique_ptr<RouteInfo>> routes_;
  std::unordered_map<std::string, std::vector<const RouteInfo*>> literal_;  // by path
  std::vector<const RouteInfo*> patterned_;
};

class Pipeline {
 public:
  explicit Pipeline(const Router* router) : router_(router) {}
  // Middleware runs in the order added, each deciding whether to call next.
  void Use(Middleware m) { middleware_.push_back(std::move(m)); }
  void Seal();
  void Dispatch(const ExchangePtr& exchange) const;

 private:
  void Final(const ExchangePtr& exchange) const;

  const Router* router_;
  std::vector<Middleware> middleware_;
  Handler chain_;
};

}  // namespace parley::http
