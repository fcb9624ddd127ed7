// The assistant service: one call per user message, the whole pipeline. Loads the session,
// runs NLU and the policy, asks the knowledge hook and the LLM when no rule answers, saves the
// turn durably and only then returns the reply. Used by /v1/dialog, `parley chat` and (later)
// /v1/chat/completions for the assistant model id.
//
// Thread-safety: HandleTurn and the session calls may run on any number of threads at once;
// turns of one session are serialised (a lock per session stripe), so concurrent messages on a
// session are all kept, one after the other. HandleTurn blocks (store writes, waiting on the
// LLM): call it from worker threads, never from an I/O thread. TryQuickTurn never blocks: it
// answers the turns rules can answer for sessions in memory, on the calling (I/O) thread, and
// reports once the store's writer has saved the turn.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dialog/flow.h"
#include "dialog/knowledge_hook.h"
#include "dialog/nlu.h"
#include "dialog/policy.h"
#include "dialog/state.h"
#include "engine/llm.h"
#include "store/session_store.h"

namespace parley::dialog {

struct AssistantOptions {
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(30);
  int64_t max_message_chars = 2000;
  int64_t max_turns = 100000;
  int history_turns = 8;            // recent turns kept for the LLM
  int history_token_budget = 1500;  // rough tokens of history in the LLM prompt
  int llm_max_tokens = 256;
  std::chrono::milliseconds llm_timeout = std::chrono::minutes(2);
  uint64_t seed = 0;                // 0: responses vary by session and turn only
  std::function<int64_t()> now_ms;  // wall clock in ms; default system_clock
  // Called after a turn with events (e.g. "handoff") is saved; on the store's writer thread.
  std::function<void(const std::string& session_id, const store::Event&)> on_event;
};

struct TurnInput {
  std::string session_id;  // "" = start a new session
  std::string user_id;
  std::string channel;
  std::string message;
};

struct TurnReply {
  std::string session_id;
  int64_t turn = 0;  // seq of this turn in the session
  std::string reply;
  Source source = Source::kFallback;
  std::string intent;  // "" when none
  double confidence = 0;
  IntentScore runner_up;
  std::vector<Entity> entities;
  std::map<std::string, std::string> slots;
  std::string emotion, sentiment;
  bool handoff = false;
  bool new_conversation = false;  // the session had expired (or is new) and started fresh
  std::vector<Citation> citations;
};

// Receives LLM text as it is generated, before the turn is saved. Called on the engine's
// thread; must be thread-safe and quick.
class ReplyListener {
 public:
  virtual ~ReplyListener() = default;
  virtual void OnDelta(std::string_view text) = 0;
  virtual bool Cancelled() const { return false; }
};

struct SessionView {
  store::SessionRecord record;
  SessionState state;
  bool expired = false;  // idle past the timeout: the next message starts fresh
  std::vector<store::TurnRecord> history;
  std::vector<store::Event> events;
};

class Assistant {
 public:
  // `llm` and `knowledge` may be null (no model / no knowledge base); the others must outlive
  // the assistant.
  Assistant(std::shared_ptr<const Flow> flow, std::shared_ptr<const Nlu> nlu,
            store::SessionStore* store, engine::Llm* llm, KnowledgeSource* knowledge,
            AssistantOptions options);

  Result<TurnReply> HandleTurn(const TurnInput& input, ReplyListener* listener = nullptr);
  // Runs the turn on the calling thread when it can finish without blocking: the session's
  // stripe is free, the session is in memory (or new), the NLU embeds nothing and no knowledge
  // or LLM call is needed. The caller has checked the input (CheckMessage, CheckSessionId).
  // Returns false, having changed nothing, when it cannot; the caller then runs HandleTurn on a
  // worker. Otherwise `done` gets the reply once the turn is saved, on the store's writer
  // thread, or the error.
  using TurnDone = std::function<void(Result<TurnReply>)>;
  bool TryQuickTurn(const TurnInput& input, TurnDone done);
  // The newest `history_limit` turns before turn `before` (0: up to the latest).
  Result<SessionView> GetSession(const std::string& id, int64_t history_limit, int64_t before = 0);
  Result<bool> DeleteSession(const std::string& id);

  const Flow& flow() const { return *flow_; }
  const Nlu& nlu() const { return *nlu_; }
  bool has_llm() const { return llm_ != nullptr; }

  static Status CheckSessionId(std::string_view id);
  Status CheckMessage(std::string_view message) const;
  static std::string NewSessionId();

 private:
  // Sessions hash onto stripes; a stripe's lock serialises the turns of its sessions and guards
  // its cache of recently used sessions (write-through: a turn's session is cached as its save is
  // queued; the store stays the truth and serves queued saves to Load, so evicting is safe).
  struct Cached {
    store::SessionRecord record;
    SessionState state;
  };
  struct Stripe {
    std::mutex mu;
    std::unordered_map<std::string, Cached> cache;
  };
  static constexpr size_t kCachePerStripe = 64;
  Stripe& StripeFor(const std::string& id);
  // The session as of its last turn (a fresh one when unknown), from the cache or the store.
  Result<Cached> LoadSession(Stripe& stripe, const std::string& id);
  // Forgets the cached session when one of its saves failed (the store has the truth).
  void DropIfUnsaved(Stripe& stripe, const std::string& id);
  // The turn, with the stripe lock held: load, NLU, policy, escalation, queue the save (`done`
  // is moved into it). `quick`: return false instead of blocking (see TryQuickTurn).
  bool RunTurn(Stripe& stripe, const TurnInput& in, const std::string& id, bool quick,
               ReplyListener* listener, TurnDone& done);
  // Turn limit, expiry (a fresh conversation), user and channel.
  Status StartTurn(Cached* c, const TurnInput& in, int64_t now, bool* fresh) const;
  // The decision needs the knowledge base or the LLM (a blocking call).
  bool WouldBlock(const Decision& d) const;
  // No rule answered (or the intent wants the LLM): knowledge hook, then LLM.
  void Escalate(Decision* d, const NluResult& nlu, const TurnInput& in, const std::string& id,
                const SessionState& state, const Vars& vars, ReplyListener* listener,
                std::vector<Citation>* citations);
  // Caches the session and queues the turn's save; `done` runs once it is saved, after events.
  void SaveAsync(Stripe& stripe, const std::string& id, Cached c, const TurnInput& in,
                 TurnReply out, const Decision& d, int64_t now, TurnDone done);
  TurnReply Reply(const Decision& d, const NluResult& nlu, const SessionState& s) const;
  void Remember(SessionState* s, const NluResult& nlu, const TurnInput& in,
                const std::string& reply) const;
  std::optional<std::string> AskLlm(const SessionState& state, const Vars& vars,
                                    std::string_view message, const std::string& session_id,
                                    ReplyListener* listener);
  int64_t Now() const;

  std::shared_ptr<const Flow> flow_;
  std::shared_ptr<const Nlu> nlu_;
  store::SessionStore* store_;
  engine::Llm* llm_;
  KnowledgeSource* knowledge_;
  AssistantOptions options_;
  std::array<Stripe, 256> stripes_;
  // Sessions whose last save failed: their cached state is dropped on their next turn.
  std::mutex unsaved_mu_;
  std::unordered_set<std::string> unsaved_;
  std::atomic<bool> any_unsaved_{false};
};

// The chat messages the LLM sees: persona and context as the system prompt, recent history
// within the token budget, then the message.
std::vector<engine::ChatMessage> BuildLlmMessages(const Persona& persona, const SessionState& s,
                                                  const Vars& vars, std::string_view message,
                                                  int token_budget);

}  // namespace parley::dialog
