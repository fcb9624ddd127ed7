// Server-sent events over a streamed Exchange: `data: ...\n\n` frames, as OpenAI-compatible
// clients expect. Thread-safe to the same degree as Exchange (one producer at a time).
#pragma once

#include <string>
#include <string_view>

#include "http/exchange.h"

namespace parley::http {

class SseStream {
 public:
  explicit SseStream(ExchangePtr exchange) : exchange_(std::move(exchange)) {}

  void Start(int status = 200);
  // One event; multi-line data becomes several data: lines of the same event.
  void Data(std::string_view data);
  void Event(std::string_view name, std::string_view data);
  void End() { exchange_->StreamEnd(); }
  bool cancelled() const { return exchange_->cancelled(); }
  const ExchangePtr& exchange() const { return exchange_; }

 private:
  ExchangePtr exchange_;
};

std::string FormatSseEvent(std::string_view name, std::string_view data);

}  // namespace parley::http
