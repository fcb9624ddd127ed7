// SessionStore kept in process memory: for tests and for `dialog.store: memory`. Nothing
// survives a restart. Thread-safe (one mutex).
#pragma once

#include <map>
#include <mutex>

#include "store/session_store.h"

namespace parley::store {

class MemoryStore : public SessionStore {
 public:
  Result<std::optional<SessionRecord>> Load(const std::string& id) override;
  Status SaveTurn(const SessionRecord& session, const TurnRecord& turn,
                  const std::vector<Event>& events) override;
  Result<std::vector<TurnRecord>> History(const std::string& id, int64_t limit,
                                          int64_t before) override;
  Result<std::vector<Event>> Events(const std::string& id) override;
  Result<bool> Delete(const std::string& id) override;

 private:
  struct Entry {
    SessionRecord session;
    std::vector<TurnRecord> turns;
    std::vector<Event> events;
  };
  std::mutex mu_;
  std::map<std::string, Entry> sessions_;
};

}  // namespace parley::store
