// KV state of conversations that lost their sequence to another one: kept in a bounded LRU in
// host memory, spilled to files under a folder (also bounded) when memory is full, and handed
// back when the session speaks again. Used only by its scheduler's thread; counters are atomic
// so metrics may read them from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::engine {

struct SavedSequence {
  std::vector<int32_t> tokens;  // what the KV state holds, in order
  std::vector<uint8_t> state;   // llama_state_seq_get_data output
  size_t bytes() const { return state.size() + tokens.size() * sizeof(int32_t); }
};

class SessionCache {
 public:
  SessionCache(uint64_t memory_bytes, std::string dir, uint64_t disk_bytes);
  ~SessionCache();

  void Put(const std::string& session, SavedSequence saved);
  // Removes and returns the session's state, from memory or disk.
  std::optional<SavedSequence> Take(const std::string& session);
  void Erase(const std::string& session);

  uint64_t memory_used() const { return memory_used_.load(); }
  uint64_t disk_used() const { return disk_used_.load(); }

 private:
  struct Entry {
    std::string session;
    SavedSequence saved;  // empty when on disk
    bool on_disk = false;
    uint64_t disk_bytes = 0;
  };
  using List = std::list<Entry>;  // most recent first

  void SpillUntilUnder(uint64_t limit);
  void DropDiskUntilUnder(uint64_t limit);
  std::string FileFor(const std::string& session) const;

  uint64_t memory_limit_, disk_limit_;
  std::string dir_;
  List lru_;
  std::unordered_map<std::string, List::iterator> index_;
  std::atomic<uint64_t> memory_used_{0}, disk_used_{0};
};

}  // namespace parley::engine
