#include "engine/stop_matcher.h"

#include <algorithm>

namespace parley::engine {

size_t CompleteUtf8Prefix(std::string_view s) {
  // Look back at most 3 bytes for the lead byte of a sequence that is cut off.
  size_t i = s.size();
  for (size_t back = 1; back <= 4 && back <= s.size(); ++back) {
    const auto c = static_cast<unsigned char>(s[s.size() - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte
    size_t need = c < 0x80             ? 1
                  : (c & 0xE0) == 0xC0 ? 2
                  : (c & 0xF0) == 0xE0 ? 3
                  : (c & 0xF8) == 0xF0 ? 4
                                       : 1;
    if (need > back) i = s.size() - back;
    break;
  }
  return i;
}

std::string StopMatcher::Feed(std::string_view piece, bool* stopped) {
  *stopped = false;
  held_.append(piece);
  size_t cut = std::string::npos;
  for (const auto& stop : stops_) {
    if (stop.empty()) continue;
    const size_t at = held_.find(stop);
    if (at != std::string::npos) cut = std::min(cut, at);
  }
  if (cut != std::string::npos) {
    *stopped = true;
    std::string out = held_.substr(0, cut);
    held_.clear();
    return out;
  }
  // Keep the longest tail that is a proper prefix of some stop string.
  size_t keep = 0;
  for (const auto& stop : stops_) {
    for (size_t len = std::min(stop.size() - 1, held_.size()); len > keep; --len) {
      if (held_.compare(held_.size() - len, len, stop, 0, len) == 0) {
        keep = len;
        break;
      }
    }
  }
  size_t emit = held_.size() - keep;
  emit = CompleteUtf8Prefix(std::string_view(held_).substr(0, emit));
  std::string out = held_.substr(0, emit);
  held_.erase(0, emit);
  return out;
}

std::string StopMatcher::Flush() {
  std::string out = held_.substr(0, CompleteUtf8Prefix(held_));
  held_.clear();
  return out;
}

}  // namespace parley::engine
