#include "http/exchange.h"

#include "http/error_response.h"

namespace parley::http {

void Exchange::Respond(Response response) {
  if (responded_.exchange(true)) return;
  for (auto& h : extra_headers_) response.headers.push_back(std::move(h));
  extra_headers_.clear();
  send_(std::move(response));
}

void Exchange::RespondError(const Error& error) { Respond(ErrorResponse(error)); }

void Exchange::Finish(const FinishInfo& info) {
  if (finished_.exchange(true)) return;
  for (auto it = finish_hooks_.rbegin(); it != finish_hooks_.rend(); ++it) (*it)(*this, info);
  finish_hooks_.clear();
}

}  // namespace parley::http
