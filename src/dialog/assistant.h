// The assistant service: one call per user message, the whole pipeline. Loads the session,
// runs NLU and the policy, asks the knowledge hook and the LLM when no rule answers, saves the
// turn durably and only then returns the reply. Used by /v1/dialog, `parley chat` and (later)
// /v1/chat/completions for the assistant model id.
//
// Thread-safety: HandleTurn and the session calls may run on any number of threads at once;
// turns of one session are serialised (a lock per session stripe), so concurrent messages on a
// session are all kept, one after the other. HandleTurn blocks (store writes, waiting on the
// LLM): call it from worker threads, never from an I/O thread.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
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
  // Called after a turn with events (e.g. "handoff") is saved; on the turn's thread.
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
  // its cache of recently used sessions (write-through: the store stays the truth, the cache
  // only saves reading and decoding a session again on its next turn).
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
  // The steps of HandleTurn, all under the stripe lock.
  Result<Cached> BeginTurn(Stripe& stripe, const TurnInput& in, const std::string& id, int64_t now,
                           bool* fresh);
  // No rule answered (or the intent wants the LLM): knowledge hook, then LLM.
  void Escalate(Decision* d, const NluResult& nlu, const TurnInput& in, const std::string& id,
                const SessionState& state, Vars vars, ReplyListener* listener,
                std::vector<Citation>* citations);
  // Saves the turn durably, then caches the session and reports its events.
  Status Commit(Stripe& stripe, const std::string& id, Cached c, const TurnInput& in,
                const TurnReply& out, const Decision& d, int64_t now);
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
};

// The chat messages the LLM sees: persona and context as the system prompt, recent history
// within the token budget, then the message.
std::vector<engine::ChatMessage> BuildLlmMessages(const Persona& persona, const SessionState& s,
                                                  const Vars& vars, std::string_view message,
                                                  int token_budget);

}  // namespace parley::dialog
