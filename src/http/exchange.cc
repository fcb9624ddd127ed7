#include "http/exchange.h"

#include "http/error_response.h"

namespace parley::http {

void Exchange::Respond(Response response) {
  if (responded_.exchange(true)) return;
  for (auto& h : extra_headers_) response.headers.push_back(std::move(h));
  extra_headers_.clear();
  if (body_observer_) body_observer_(response.body);
  channel_->Send(std::move(response));
}

void Exchange::StartStream(int status, std::string content_type, Headers headers) {
  if (responded_.exchange(true)) return;
  Response head;
  head.status = status;
  head.content_type = std::move(content_type);
  head.headers = std::move(headers);
  for (auto& h : extra_headers_) head.headers.push_back(std::move(h));
  extra_headers_.clear();
  channel_->StartStream(std::move(head));
}

void Exchange::StreamWrite(std::string data) {
  if (data.empty() || stream_ended_.load() || cancelled()) return;
  if (body_observer_) body_observer_(data);
  channel_->StreamWrite(std::move(data));
}

void Exchange::StreamEnd() {
  if (stream_ended_.exchange(true)) return;
  channel_->StreamEnd();
}

void Exchange::RespondError(const Error& error) { Respond(ErrorResponse(error)); }

void Exchange::Finish(const FinishInfo& info) {
  if (finished_.exchange(true)) return;
  for (auto it = finish_hooks_.rbegin(); it != finish_hooks_.rend(); ++it) (*it)(*this, info);
  finish_hooks_.clear();
}

}  // namespace parley::http
