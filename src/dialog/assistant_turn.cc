// Assistant::HandleTurn and the session queries (the rest of Assistant is in assistant.cc).
#include <nlohmann/json.hpp>

#include "dialog/assistant.h"
#include "nlp/tokenizer.h"
#include "util/text.h"

namespace parley::dialog {
namespace {

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::string DetailsJson(const TurnReply& r) {
  nlohmann::json entities = nlohmann::json::array();
  for (const auto& e : r.entities) {
    entities.push_back({{"type", e.type}, {"value", e.value}, {"text", e.text}});
  }
  return nlohmann::json{{"entities", entities},
                        {"slots", r.slots},
                        {"emotion", r.emotion},
                        {"sentiment", r.sentiment},
                        {"handoff", r.handoff}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Vars TurnVars(const TurnInput& in, const std::string& session_id, const NluResult& nlu,
              const Flow& flow) {
  Vars v{{"emotion", nlu.sentiment.emotion},
         {"sentiment", nlu.sentiment.label},
         {"channel", in.channel},
         {"user_id", in.user_id},
         {"session_id", session_id},
         {"persona", flow.persona.name},
         {"message", in.message},
         {"language", nlp::HasHan(in.message) ? "zh" : "en"}};
  for (const auto& e : nlu.entities) v.emplace(e.type, e.value);
  return v;
}

}  // namespace

Result<Assistant::Cached> Assistant::LoadSession(Stripe& stripe, const std::string& id) {
  // Taken out of the cache (no copy) for the turn; Commit() puts it back once it is saved.
  if (auto node = stripe.cache.extract(id)) return std::move(node.mapped());
  auto loaded = store_->Load(id);
  if (!loaded.ok()) return loaded.error();
  Cached c;
  if (*loaded) {
    c.record = **loaded;
    c.state = DecodeState(c.record.state);
  } else {
    c.record.id = id;
    c.record.epoch = 0;  // HandleTurn starts conversation 1
  }
  return c;
}

void Assistant::Remember(SessionState* s, const NluResult& nlu, const TurnInput& in,
                         const std::string& reply) const {
  for (const auto& e : nlu.entities) s->entities_seen[e.type] = e.value;
  s->emotion = nlu.sentiment.emotion;
  s->sentiment = nlu.sentiment.label;
  s->recent.push_back({"user", in.message});
  s->recent.push_back({"assistant", reply});
  const size_t keep = static_cast<size_t>(std::max(1, options_.history_turns)) * 2;
  if (s->recent.size() > keep) s->recent.erase(s->recent.begin(), s->recent.end() - keep);
}

TurnReply Assistant::Reply(const Decision& d, const NluResult& nlu, const SessionState& s) const {
  TurnReply out;
  out.reply = d.reply;
  out.source = d.source;
  out.intent = d.intent;
  out.confidence = d.confidence;
  out.runner_up = nlu.intent.runner_up;
  out.entities = nlu.entities;
  out.slots = s.slots;
  out.emotion = nlu.sentiment.emotion;
  out.sentiment = nlu.sentiment.label;
  out.handoff = s.handoff;
  return out;
}

Result<Assistant::Cached> Assistant::BeginTurn(Stripe& stripe, const TurnInput& in,
                                               const std::string& id, int64_t now, bool* fresh) {
  auto loaded = LoadSession(stripe, id);
  if (!loaded.ok()) return loaded.error();
  Cached c = std::move(*loaded);
  if (c.record.turn_count >= options_.max_turns) {
    return MakeError(ErrorCode::kResourceExhausted,
                     "session " + id + " has reached its limit of " +
                         std::to_string(options_.max_turns) + " turns; start a new session",
                     "session_turn_limit", "session_id");
  }
  *fresh = c.record.epoch == 0 || now - c.record.updated_ms > options_.idle_timeout.count();
  if (*fresh) {
    c.state = SessionState();  // new or expired: a fresh conversation, old turns stay in history
    ++c.record.epoch;
    if (c.record.created_ms == 0) c.record.created_ms = now;
  }
  if (!in.user_id.empty()) c.record.user_id = in.user_id;
  if (!in.channel.empty()) c.record.channel = in.channel;
  return c;
}

void Assistant::Escalate(Decision* d, const NluResult& nlu, const TurnInput& in,
                         const std::string& id, const SessionState& state, Vars vars,
                         ReplyListener* listener, std::vector<Citation>* citations) {
  if (d->ask_knowledge && knowledge_) {
    if (auto k = knowledge_->Answer({in.message, nlu.normalized, state.recent})) {
      d->reply = k->text;
      d->source = Source::kKnowledge;
      d->ask_knowledge = false;
      *citations = k->citations;
    }
  }
  if (!d->ask_knowledge && !d->ask_llm) return;
  for (const auto& [k, v] : state.slots) vars.emplace(k, v);
  if (auto text = AskLlm(state, vars, in.message, id, listener)) {
    d->reply = std::move(*text);
    d->source = Source::kLlm;
  }
}

Status Assistant::Commit(Stripe& stripe, const std::string& id, Cached c, const TurnInput& in,
                         const TurnReply& out, const Decision& d, int64_t now) {
  store::SessionRecord& rec = c.record;
  rec.turn_count = out.turn;
  rec.updated_ms = now;
  rec.handoff = c.state.handoff;
  rec.state = EncodeState(c.state);
  const store::TurnRecord turn{out.turn,   rec.epoch,      now,
                               in.message, out.reply,      SourceName(out.source),
                               out.intent, out.confidence, DetailsJson(out)};
  std::vector<store::Event> events;
  if (d.handoff_started) {
    events.push_back({"handoff", nlohmann::json{{"intent", d.intent},
                                                {"turn", out.turn},
                                                {"user_id", rec.user_id},
                                                {"channel", rec.channel}}
                                     .dump()});
  }
  if (Status s = store_->SaveTurn(rec, turn, events); !s.ok()) {
    stripe.cache.erase(id);  // the store is the truth; read it again next time
    return s;
  }
  if (stripe.cache.size() >= kCachePerStripe) {
    stripe.cache.erase(stripe.cache.begin());
  }
  stripe.cache[id] = std::move(c);
  if (options_.on_event) {
    for (const auto& e : events) options_.on_event(id, e);
  }
  return Status::Ok();
}

Result<TurnReply> Assistant::HandleTurn(const TurnInput& in, ReplyListener* listener) {
  if (Status s = CheckMessage(in.message); !s.ok()) return s.error();
  const std::string id = in.session_id.empty() ? NewSessionId() : in.session_id;
  if (Status s = CheckSessionId(id); !s.ok()) return s.error();

  Stripe& stripe = StripeFor(id);
  std::lock_guard session_lock(stripe.mu);
  const int64_t now = Now();
  bool fresh = false;
  auto session = BeginTurn(stripe, in, id, now, &fresh);
  if (!session.ok()) return session.error();
  SessionState& state = session->state;

  const auto today = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(now)));
  const NluResult nlu = nlu_->Analyze(in.message, today);
  const Vars vars = TurnVars(in, id, nlu, *flow_);
  const int64_t turns = session->record.turn_count;
  const uint64_t seed = Mix(options_.seed ^ std::hash<std::string>{}(id) ^ Mix(turns));
  Decision d = Decide(*flow_, nlu, in.message, &state, vars, seed);
  std::vector<Citation> citations;
  Escalate(&d, nlu, in, id, state, vars, listener, &citations);
  Remember(&state, nlu, in, d.reply);

  TurnReply out = Reply(d, nlu, state);
  out.session_id = id;
  out.turn = turns + 1;
  out.new_conversation = fresh;
  out.citations = std::move(citations);
  if (Status s = Commit(stripe, id, std::move(*session), in, out, d, now); !s.ok()) {
    return s.error();
  }
  return out;
}

Result<SessionView> Assistant::GetSession(const std::string& id, int64_t history_limit,
                                          int64_t before) {
  if (Status s = CheckSessionId(id); !s.ok()) return s.error();
  auto loaded = store_->Load(id);
  if (!loaded.ok()) return loaded.error();
  if (!*loaded) {
    return MakeError(ErrorCode::kNotFound, "no session '" + id + "'", "session_not_found",
                     "session_id");
  }
  SessionView v;
  v.record = **loaded;
  v.expired = Now() - v.record.updated_ms > options_.idle_timeout.count();
  v.state = v.expired ? SessionState() : DecodeState(v.record.state);
  auto history = store_->History(id, history_limit, before);
  if (!history.ok()) return history.error();
  v.history = std::move(*history);
  auto events = store_->Events(id);
  if (!events.ok()) return events.error();
  v.events = std::move(*events);
  return v;
}

Result<bool> Assistant::DeleteSession(const std::string& id) {
  if (Status s = CheckSessionId(id); !s.ok()) return s.error();
  Stripe& stripe = StripeFor(id);
  std::lock_guard session_lock(stripe.mu);
  stripe.cache.erase(id);
  return store_->Delete(id);
}

}  // namespace parley::dialog
