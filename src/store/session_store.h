// The session store: where dialog sessions and their turns live. The dialog layer owns the
// meaning of the state blob; the store only keeps it, with the turn history, durably.
// Implementations: SQLite (sqlite_store.h, the embedded default) and memory (memory_store.h);
// Redis comes later behind the same interface. All methods are thread-safe and blocking: call
// them off the I/O threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace parley::store {

struct SessionRecord {
  std::string id;
  std::string user_id;
  std::string channel;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;  // time of the last turn: idle expiry is measured from it
  int64_t turn_count = 0;  // turns ever taken, across conversations
  int64_t epoch = 0;       // conversation number: grows when an idle session starts fresh
  bool handoff = false;    // waiting for a human
  std::string state;       // opaque to the store (the dialog layer's JSON)
};

struct TurnRecord {
  int64_t seq = 0;  // 1, 2, 3... within the session, assigned by the caller
  int64_t epoch = 0;
  int64_t time_ms = 0;
  std::string user_text;
  std::string reply;
  std::string source;  // rule, form, knowledge, llm, fallback
  std::string intent;
  double confidence = 0;
  std::string details;  // JSON: entities, slots, emotion
};

struct Event {
  std::string type;  // e.g. "handoff"
  std::string data;  // JSON
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  virtual Result<std::optional<SessionRecord>> Load(const std::string& id) = 0;
  // Writes the turn, the session's new record and any events in one transaction; when it
  // returns OK the turn survives a crash of the process (kill -9).
  virtual Status SaveTurn(const SessionRecord& session, const TurnRecord& turn,
                          const std::vector<Event>& events) = 0;
  // SaveTurn without waiting: `done` gets the outcome once the turn is committed or has failed,
  // on the store's writer thread (or, for a store without one, before this returns). Turns are
  // written in call order, and Load sees a queued turn's session at once (read-your-writes).
  using SaveDone = std::function<void(Status)>;
  virtual void SaveTurnAsync(SessionRecord session, TurnRecord turn, std::vector<Event> events,
                             SaveDone done) {
    done(SaveTurn(session, turn, events));
  }
  // The newest `limit` turns with seq < before (0 = no bound), oldest first.
  virtual Result<std::vector<TurnRecord>> History(const std::string& id, int64_t limit,
                                                  int64_t before = 0) = 0;
  virtual Result<std::vector<Event>> Events(const std::string& id) = 0;
  // Removes the session, its turns and events; false when there was none.
  virtual Result<bool> Delete(const std::string& id) = 0;
};

}  // namespace parley::store
