// Turns a stream of token pieces into text that is safe to send: holds back bytes that might be
// the start of a stop string (a stop string can be split across tokens) or an unfinished UTF-8
// character, and reports when a stop string is complete. One per generation; not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parley::engine {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {}

  // Adds a piece; returns the text now safe to emit. Sets *stopped when a stop string appeared
  // (the text before it is returned, the stop string and anything after are dropped).
  std::string Feed(std::string_view piece, bool* stopped);
  // At the end of generation: whatever was held back (minus an unfinished UTF-8 tail).
  std::string Flush();

 private:
  std::vector<std::string> stops_;
  std::string held_;
};

// Length of the longest prefix of s that ends on a UTF-8 character boundary.
size_t CompleteUtf8Prefix(std::string_view s);

}  // namespace parley::engine
