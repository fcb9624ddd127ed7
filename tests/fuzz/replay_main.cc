// A driver for the fuzz harnesses in ordinary (non-clang, non-libFuzzer) builds, so `make test`
// runs them briefly: every seed file given on the command line, then a fixed number of
// deterministic mutations of each (byte flips, insertions, deletions, splices).
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Run(const std::string& s) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string Mutate(std::string s, const std::vector<std::string>& seeds, std::mt19937& rng) {
  const int steps = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < steps; ++i) {
    const size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0:
        if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(rng());
        break;
      case 1:
        s.insert(pos, 1, static_cast<char>(rng()));
        break;
      case 2:
        if (pos < s.size()) s.erase(pos, 1 + rng() % 8);
        break;
      case 3: {
        const std::string& o = seeds[rng() % seeds.size()];
        if (!o.empty()) s.insert(pos, o.substr(rng() % o.size(), 1 + rng() % 32));
        break;
      }
      default:
        if (pos < s.size()) s.insert(pos, s.substr(pos, 1 + rng() % 16));
    }
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 2000;
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("-runs=", 0) == 0) {
      iterations = std::atoi(arg.c_str() + 6);
      continue;
    }
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(arg)) {
      for (const auto& e : std::filesystem::directory_iterator(arg)) files.push_back(e.path());
    } else {
      files.emplace_back(arg);
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      seeds.push_back(ss.str());
    }
  }
  if (seeds.empty()) seeds.emplace_back();
  for (const auto& s : seeds) Run(s);
  std::mt19937 rng(12345);
  for (int i = 0; i < iterations; ++i) Run(Mutate(seeds[rng() % seeds.size()], seeds, rng));
  std::cout << "replayed " << seeds.size() << " seeds and " << iterations << " mutations\n";
  return 0;
}
