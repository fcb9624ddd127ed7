#include "app/jsonl.h"

#include <fstream>
#include <iostream>

#include "api/json_body.h"
#include "util/text.h"

namespace parley::app {

bool ReadStringPairs(const std::string& path, const char* first, const char* second,
                     const std::string& expected,
                     std::vector<std::pair<std::string, std::string>>* out) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << path << ": cannot read the file\n";
    return false;
  }
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (text::Trim(line).empty()) continue;
    auto j = api::ParseJsonText(line, 8);
    if (!j.ok() || !j->is_object() || !(*j)[first].is_string() || !(*j)[second].is_string()) {
      std::cerr << path << ":" << n << ": expected " << expected
                << (j.ok() ? "" : " (" + j.error().message + ")") << '\n';
      return false;
    }
    out->emplace_back((*j)[first].get<std::string>(), (*j)[second].get<std::string>());
  }
  return true;
}

}  // namespace parley::app
