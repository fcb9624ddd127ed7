#include "obs/readiness.h"

namespace parley::obs {

void Readiness::Set(const std::string& component, bool ready, std::string detail) {
  std::lock_guard lock(mu_);
  checks_[component] = Check{ready, std::move(detail)};
}

bool Readiness::AllReady() const {
  std::lock_guard lock(mu_);
  for (const auto& [name, c] : checks_) {
    if (!c.ready) return false;
  }
  return true;
}

std::map<std::string, Readiness::Check> Readiness::Snapshot() const {
  std::lock_guard lock(mu_);
  return checks_;
}

}  // namespace parley::obs
