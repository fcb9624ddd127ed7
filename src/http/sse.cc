#include "http/sse.h"

namespace parley::http {

std::string FormatSseEvent(std::string_view name, std::string_view data) {
  std::string out;
  out.reserve(data.size() + 16);
  if (!name.empty()) {
    out += "event: ";
    out += name;
    out += '\n';
  }
  size_t start = 0;
  for (;;) {
    const size_t nl = data.find('\n', start);
    out += "data: ";
    out += data.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    out += '\n';
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  out += '\n';
  return out;
}

void SseStream::Start(int status) {
  exchange_->StartStream(status, "text/event-stream",
                         {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}});
}

void SseStream::Data(std::string_view data) { exchange_->StreamWrite(FormatSseEvent({}, data)); }

void SseStream::Event(std::string_view name, std::string_view data) {
  exchange_->StreamWrite(FormatSseEvent(name, data));
}

}  // namespace parley::http
