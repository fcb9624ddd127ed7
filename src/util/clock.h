// Wall-clock time as integers since the Unix epoch, the form stored in records and sent in API
// responses. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace parley {

inline int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline int64_t UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace parley
