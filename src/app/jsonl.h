// Reading the evaluation data files (JSON Lines) of the `eval` commands. Start-up only.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace parley::app {

// Reads lines of JSON objects with two string fields, `first` and `second` (blank lines are
// skipped). On a missing file or a malformed line, prints "PATH:LINE: expected EXPECTED" to
// stderr and returns false.
bool ReadStringPairs(const std::string& path, const char* first, const char* second,
                     const std::string& expected,
                     std::vector<std::pair<std::string, std::string>>* out);

}  // namespace parley::app
