// Readiness of the process: named components (model, store, ...) report whether they are ready
// to serve. /ready answers 200 only when every registered component is ready. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

namespace parley::obs {

class Readiness {
 public:
  struct Check {
    bool ready = false;
    std::string detail;
  };

  void Set(const std::string& component, bool ready, std::string detail = {});
  bool AllReady() const;
  std::map<std::string, Check> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, Check> checks_;  // guarded by mu_
};

}  // namespace parley::obs
