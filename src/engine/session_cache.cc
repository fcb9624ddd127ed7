#include "engine/session_cache.h"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace parley::engine {
namespace {

constexpr char kMagic[4] = {'P', 'K', 'V', '1'};

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

bool WriteFile(const std::string& path, const std::string& session, const SavedSequence& s) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    const uint32_t sl = static_cast<uint32_t>(session.size());
    const uint64_t nt = s.tokens.size(), ns = s.state.size();
    out.write(kMagic, 4);
    out.write(reinterpret_cast<const char*>(&sl), sizeof sl).write(session.data(), sl);
    out.write(reinterpret_cast<const char*>(&nt), sizeof nt);
    out.write(reinterpret_cast<const char*>(s.tokens.data()), static_cast<std::streamsize>(nt * 4));
    out.write(reinterpret_cast<const char*>(&ns), sizeof ns);
    out.write(reinterpret_cast<const char*>(s.state.data()), static_cast<std::streamsize>(ns));
    if (!out) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

std::optional<SavedSequence> ReadFile(const std::string& path, const std::string& session) {
  std::ifstream in(path, std::ios::binary);
  char magic[4];
  uint32_t sl = 0;
  if (!in.read(magic, 4) || std::string(magic, 4) != std::string(kMagic, 4)) return std::nullopt;
  if (!in.read(reinterpret_cast<char*>(&sl), sizeof sl) || sl > 4096) return std::nullopt;
  std::string id(sl, '\0');
  in.read(id.data(), sl);
  if (id != session) return std::nullopt;
  SavedSequence s;
  uint64_t nt = 0, ns = 0;
  if (!in.read(reinterpret_cast<char*>(&nt), sizeof nt) || nt > (1u << 24)) return std::nullopt;
  s.tokens.resize(nt);
  in.read(reinterpret_cast<char*>(s.tokens.data()), static_cast<std::streamsize>(nt * 4));
  if (!in.read(reinterpret_cast<char*>(&ns), sizeof ns) || ns > (1ull << 34)) return std::nullopt;
  s.state.resize(ns);
  in.read(reinterpret_cast<char*>(s.state.data()), static_cast<std::streamsize>(ns));
  if (!in) return std::nullopt;
  return s;
}

}  // namespace

SessionCache::SessionCache(uint64_t memory_bytes, std::string dir, uint64_t disk_bytes)
    : memory_limit_(memory_bytes), disk_limit_(disk_bytes), dir_(std::move(dir)) {
  if (disk_limit_ > 0 && !dir_.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) disk_limit_ = 0;
  }
}

SessionCache::~SessionCache() {
  // Spilled state belongs to this process's KV layout; it is not reused after a restart.
  for (auto& e : lru_) {
    if (e.on_disk) std::filesystem::remove(FileFor(e.session));
  }
}

std::string SessionCache::FileFor(const std::string& session) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016llx.kv", static_cast<unsigned long long>(Fnv1a(session)));
  return dir_ + "/" + name;
}

void SessionCache::Put(const std::string& session, SavedSequence saved) {
  Erase(session);
  memory_used_ += saved.bytes();
  lru_.push_front(Entry{session, std::move(saved), false, 0});
  index_[session] = lru_.begin();
  SpillUntilUnder(memory_limit_);
}

std::optional<SavedSequence> SessionCache::Take(const std::string& session) {
  auto it = index_.find(session);
  if (it == index_.end()) return std::nullopt;
  Entry e = std::move(*it->second);
  lru_.erase(it->second);
  index_.erase(it);
  if (!e.on_disk) {
    memory_used_ -= e.saved.bytes();
    return std::move(e.saved);
  }
  disk_used_ -= e.disk_bytes;
  const std::string path = FileFor(session);
  auto loaded = ReadFile(path, session);
  std::filesystem::remove(path);
  return loaded;
}

void SessionCache::Erase(const std::string& session) {
  auto it = index_.find(session);
  if (it == index_.end()) return;
  if (it->second->on_disk) {
    disk_used_ -= it->second->disk_bytes;
    std::filesystem::remove(FileFor(session));
  } else {
    memory_used_ -= it->second->saved.bytes();
  }
  lru_.erase(it->second);
  index_.erase(it);
}

// Moves the least recently used in-memory entries to disk (or drops them when there is no disk
// budget) until memory use is under the limit.
void SessionCache::SpillUntilUnder(uint64_t limit) {
  for (auto it = lru_.end(); memory_used_ > limit && it != lru_.begin();) {
    --it;
    if (it->on_disk) continue;
    const uint64_t bytes = it->saved.bytes();
    if (disk_limit_ >= bytes && WriteFile(FileFor(it->session), it->session, it->saved)) {
      it->on_disk = true;
      it->disk_bytes = bytes;
      disk_used_ += bytes;
      memory_used_ -= bytes;
      it->saved = {};
      DropDiskUntilUnder(disk_limit_);
    } else {
      memory_used_ -= bytes;
      index_.erase(it->session);
      it = lru_.erase(it);
    }
  }
}

void SessionCache::DropDiskUntilUnder(uint64_t limit) {
  for (auto it = lru_.end(); disk_used_ > limit && it != lru_.begin();) {
    --it;
    if (!it->on_disk) continue;
    disk_used_ -= it->disk_bytes;
    std::filesystem::remove(FileFor(it->session));
    index_.erase(it->session);
    it = lru_.erase(it);
  }
}

}  // namespace parley::engine
