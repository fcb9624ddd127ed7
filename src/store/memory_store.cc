#include "store/memory_store.h"

#include <algorithm>

namespace parley::store {

Result<std::optional<SessionRecord>> MemoryStore::Load(const std::string& id) {
  std::lock_guard lock(mu_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::optional<SessionRecord>();
  return std::optional<SessionRecord>(it->second.session);
}

Status MemoryStore::SaveTurn(const SessionRecord& session, const TurnRecord& turn,
                             const std::vector<Event>& events) {
  std::lock_guard lock(mu_);
  Entry& e = sessions_[session.id];
  if (!e.turns.empty() && e.turns.back().seq >= turn.seq) {
    return MakeError(ErrorCode::kConflict, "turn " + std::to_string(turn.seq) + " already saved");
  }
  e.session = session;
  e.turns.push_back(turn);
  e.events.insert(e.events.end(), events.begin(), events.end());
  return Status::Ok();
}

Result<std::vector<TurnRecord>> MemoryStore::History(const std::string& id, int64_t limit,
                                                     int64_t before) {
  std::lock_guard lock(mu_);
  std::vector<TurnRecord> out;
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return out;
  for (const auto& t : it->second.turns) {
    if (before <= 0 || t.seq < before) out.push_back(t);
  }
  if (static_cast<int64_t>(out.size()) > limit) out.erase(out.begin(), out.end() - limit);
  return out;
}

Result<std::vector<Event>> MemoryStore::Events(const std::string& id) {
  std::lock_guard lock(mu_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::vector<Event>();
  return it->second.events;
}

Result<bool> MemoryStore::Delete(const std::string& id) {
  std::lock_guard lock(mu_);
  return sessions_.erase(id) > 0;
}

}  // namespace parley::store
