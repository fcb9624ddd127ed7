#include "http/router.h"

#include <exception>

#include "http/error_response.h"

namespace parley::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= path.size()) {
    const size_t j = path.find('/', i);
    const size_t end = j == std::string_view::npos ? path.size() : j;
    if (end > i) out.push_back(path.substr(i, end - i));
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return out;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  auto r = std::make_unique<RouteInfo>();
  r->method = std::move(method);
  r->pattern = std::move(pattern);
  r->handler = std::move(handler);
  for (auto seg : SplitPath(r->pattern)) {
    r->segments.emplace_back(seg);
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') r->has_params = true;
  }
  if (r->has_params) {
    patterned_.push_back(r.get());
  } else {
    literal_[r->pattern].push_back(r.get());
  }
  routes_.push_back(std::move(r));
}

void Router::AddSync(std::string method, std::string pattern, SyncHandler handler) {
  Add(std::move(method), std::move(pattern),
      [h = std::move(handler)](const ExchangePtr& ex) { ex->Respond(h(ex->request())); });
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match m;
  const auto add_allow = [&m](const std::string& verb) {
    if (m.allow.find(verb) != std::string::npos) return;
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += verb;
  };
  if (auto it = literal_.find(std::string(path)); it != literal_.end()) {
    for (const RouteInfo* r : it->second) {
      if (r->method == method) {
        m.route = r;
        return m;
      }
      add_allow(r->method);
    }
  }
  const auto parts = SplitPath(path);
  for (const RouteInfo* r : patterned_) {
    if (r->segments.size() != parts.size()) continue;
    std::vector<std::pair<std::string, std::string>> params;
    bool ok = true;
    for (size_t i = 0; i < parts.size() && ok; ++i) {
      const std::string& seg = r->segments[i];
      if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
        std::string value;
        ok = PercentDecode(parts[i], &value);
        params.emplace_back(seg.substr(1, seg.size() - 2), std::move(value));
      } else {
        ok = seg == parts[i];
      }
    }
    if (!ok) continue;
    if (r->method == method) {
      m.route = r;
      m.params = std::move(params);
      m.allow.clear();
      return m;
    }
    add_allow(r->method);
  }
  return m;
}

std::vector<const RouteInfo*> Router::routes() const {
  std::vector<const RouteInfo*> out;
  for (const auto& r : routes_) out.push_back(r.get());
  return out;
}

void Pipeline::Seal() {
  Handler next = [this](const ExchangePtr& ex) { Final(ex); };
  for (auto it = middleware_.rbegin(); it != middleware_.rend(); ++it) {
    next = [mw = *it, next](const ExchangePtr& ex) { mw(ex, next); };
  }
  chain_ = std::move(next);
}

void Pipeline::Dispatch(const ExchangePtr& ex) const {
  if (!ex->pending_error()) {
    Request& req = ex->request();
    auto m = router_->Find(req.method, req.path);
    if (m.route) {
      ex->set_route(m.route);
      req.route = m.route->pattern;
      req.params = std::move(m.params);
    } else if (!m.allow.empty()) {
      ex->AddResponseHeader("Allow", m.allow);
      ex->set_pending_error(MakeError(
          ErrorCode::kMethodNotAllowed,
          "method " + req.method + " is not allowed on " + req.path + "; allowed: " + m.allow));
    } else {
      ex->set_pending_error(
          MakeError(ErrorCode::kNotFound, "no route for " + req.path, "route_not_found"));
    }
  }
  chain_(ex);
}

void Pipeline::Final(const ExchangePtr& ex) const {
  if (const Error* e = ex->pending_error()) {
    ex->RespondError(*e);
    return;
  }
  try {
    ex->route()->handler(ex);
  } catch (const std::exception& e) {
    ex->RespondError(MakeError(ErrorCode::kInternal, "internal error"));
  }
}

}  // namespace parley::http
