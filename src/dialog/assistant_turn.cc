// Assistant::HandleTurn and the session queries (the rest of Assistant is in assistant.cc).
#include <future>
#include <nlohmann/json.hpp>

#include "dialog/assistant.h"
#include "nlp/tokenizer.h"
#include "util/json_writer.h"
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
  JsonWriter w;
  w.BeginObject().Key("entities").BeginArray();
  for (const auto& e : r.entities) {
    w.BeginObject().Key("type").String(e.type).Key("value").String(e.value);
    w.Key("text").String(e.text).EndObject();
  }
  w.EndArray().Key("slots").StringMap(r.slots);
  w.Key("emotion").String(r.emotion).Key("sentiment").String(r.sentiment);
  w.Key("handoff").Bool(r.handoff).EndObject();
  return w.Take();
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
  DropIfUnsaved(stripe, id);
  // Taken out of the cache (no copy) for the turn; SaveAsync() puts it back.
  if (auto node = stripe.cache.extract(id)) return std::move(node.mapped());
  auto loaded = store_->Load(id);
  if (!loaded.ok()) return loaded.error();
  Cached c;
  if (*loaded) {
    c.record = **loaded;
    c.state = DecodeState(c.record.state);
    if (c.state.recent.empty() && c.record.turn_count > 0) {
      // The recent messages of this conversation, from its turns.
      auto turns = store_->History(id, std::max(1, options_.history_turns));
      if (!turns.ok()) return turns.error();
      for (const auto& t : *turns) {
        if (t.epoch != c.record.epoch) continue;
        c.state.recent.push_back({"user", t.user_text});
        c.state.recent.push_back({"assistant", t.reply});
      }
    }
  } else {
    c.record.id = id;
    c.record.epoch = 0;  // the turn starts conversation 1
  }
  return c;
}

void Assistant::DropIfUnsaved(Stripe& stripe, const std::string& id) {
  if (!any_unsaved_.load(std::memory_order_acquire)) return;
  std::lock_guard lock(unsaved_mu_);
  if (unsaved_.erase(id) > 0) stripe.cache.erase(id);
  any_unsaved_.store(!unsaved_.empty(), std::memory_order_release);
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

Status Assistant::StartTurn(Cached* c, const TurnInput& in, int64_t now, bool* fresh) const {
  if (c->record.turn_count >= options_.max_turns) {
    return MakeError(ErrorCode::kResourceExhausted,
                     "session " + c->record.id + " has reached its limit of " +
                         std::to_string(options_.max_turns) + " turns; start a new session",
                     "session_turn_limit", "session_id");
  }
  *fresh = c->record.epoch == 0 || now - c->record.updated_ms > options_.idle_timeout.count();
  if (*fresh) {
    c->state = SessionState();  // new or expired: a fresh conversation, old turns stay in history
    ++c->record.epoch;
    if (c->record.created_ms == 0) c->record.created_ms = now;
  }
  if (!in.user_id.empty()) c->record.user_id = in.user_id;
  if (!in.channel.empty()) c->record.channel = in.channel;
  return Status::Ok();
}

bool Assistant::WouldBlock(const Decision& d) const {
  return (d.ask_knowledge && knowledge_) || ((d.ask_knowledge || d.ask_llm) && llm_);
}

void Assistant::Escalate(Decision* d, const NluResult& nlu, const TurnInput& in,
                         const std::string& id, const SessionState& state, const Vars& vars,
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
  // Decide() added the slots it knew of; a form may have filled more since.
  Vars with_slots = vars;
  for (const auto& [k, v] : state.slots) with_slots.emplace(k, v);
  if (auto text = AskLlm(state, with_slots, in.message, id, listener)) {
    d->reply = std::move(*text);
    d->source = Source::kLlm;
  }
}

void Assistant::SaveAsync(Stripe& stripe, const std::string& id, Cached c, const TurnInput& in,
                          TurnReply out, const Decision& d, int64_t now, TurnDone done) {
  store::SessionRecord& rec = c.record;
  rec.turn_count = out.turn;
  rec.updated_ms = now;
  rec.handoff = c.state.handoff;
  rec.state = EncodeState(c.state);
  store::TurnRecord turn{out.turn,   rec.epoch,      now,
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
  store::SessionRecord saved = rec;
  // The next turn of the session starts from this state at once (the store queues writes in
  // order); should this write fail, the session is read back from the store instead.
  if (stripe.cache.size() >= kCachePerStripe) stripe.cache.erase(stripe.cache.begin());
  stripe.cache[id] = std::move(c);
  auto on_saved = [this, id, out = std::move(out), events,
                   done = std::move(done)](Status s) mutable {
    if (!s.ok()) {
      {
        std::lock_guard lock(unsaved_mu_);
        unsaved_.insert(id);
        any_unsaved_.store(true, std::memory_order_release);
      }
      return done(s.error());
    }
    if (options_.on_event) {
      for (const auto& e : events) options_.on_event(id, e);
    }
    done(std::move(out));
  };
  store_->SaveTurnAsync(std::move(saved), std::move(turn), std::move(events), std::move(on_saved));
}

bool Assistant::RunTurn(Stripe& stripe, const TurnInput& in, const std::string& id, bool quick,
                        ReplyListener* listener, TurnDone& done) {
  const bool is_new = in.session_id.empty();  // a fresh random id: nothing to load
  Cached session;
  std::optional<Cached> original;  // quick: to put back when the turn must go elsewhere
  if (quick && !is_new) {
    DropIfUnsaved(stripe, id);
    auto node = stripe.cache.extract(id);
    if (!node) return false;  // reading the store would block
    session = std::move(node.mapped());
    // Only an assistant with a knowledge base or an LLM can find mid-turn that the turn must
    // go elsewhere (WouldBlock); only then is the untouched session kept to put back. Its recent
    // messages are not copied: nothing before that check changes them (StartTurn empties them
    // for a fresh conversation, and the turn run again elsewhere finds it fresh too).
    if (knowledge_ || llm_) {
      auto recent = std::move(session.state.recent);
      original = session;
      session.state.recent = std::move(recent);
    }
  } else if (is_new) {
    session.record.id = id;
  } else {
    auto loaded = LoadSession(stripe, id);
    if (!loaded.ok()) {
      done(loaded.error());
      return true;
    }
    session = std::move(*loaded);
  }
  const int64_t now = Now();
  bool fresh = false;
  if (Status s = StartTurn(&session, in, now, &fresh); !s.ok()) {
    stripe.cache[id] = std::move(session);  // unchanged
    done(s.error());
    return true;
  }
  SessionState& state = session.state;
  const auto today = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(now)));
  const NluResult nlu = nlu_->Analyze(in.message, today);
  Vars vars = TurnVars(in, id, nlu, *flow_);
  const int64_t turns = session.record.turn_count;
  const uint64_t seed = Mix(options_.seed ^ std::hash<std::string>{}(id) ^ Mix(turns));
  Decision d = Decide(*flow_, nlu, in.message, &state, vars, seed);
  if (quick && WouldBlock(d)) {
    if (original) {
      original->state.recent = std::move(session.state.recent);
      stripe.cache[id] = std::move(*original);
    }
    return false;
  }
  std::vector<Citation> citations;
  Escalate(&d, nlu, in, id, state, vars, listener, &citations);
  Remember(&state, nlu, in, d.reply);

  TurnReply out = Reply(d, nlu, state);
  out.session_id = id;
  out.turn = turns + 1;
  out.new_conversation = fresh;
  out.citations = std::move(citations);
  SaveAsync(stripe, id, std::move(session), in, std::move(out), d, now, std::move(done));
  return true;
}

bool Assistant::TryQuickTurn(const TurnInput& in, TurnDone done) {
  if (nlu_->embeds()) return false;  // NLU itself waits on the engine
  const std::string id = in.session_id.empty() ? NewSessionId() : in.session_id;
  Stripe& stripe = StripeFor(id);
  std::unique_lock session_lock(stripe.mu, std::try_to_lock);
  if (!session_lock) return false;  // a turn of this stripe is running, maybe waiting on the LLM
  return RunTurn(stripe, in, id, /*quick=*/true, nullptr, done);
}

Result<TurnReply> Assistant::HandleTurn(const TurnInput& in, ReplyListener* listener) {
  if (Status s = CheckMessage(in.message); !s.ok()) return s.error();
  const std::string id = in.session_id.empty() ? NewSessionId() : in.session_id;
  if (Status s = CheckSessionId(id); !s.ok()) return s.error();
  std::promise<Result<TurnReply>> result;
  TurnDone done = [&result](Result<TurnReply> r) { result.set_value(std::move(r)); };
  {
    Stripe& stripe = StripeFor(id);
    std::lock_guard session_lock(stripe.mu);
    RunTurn(stripe, in, id, /*quick=*/false, listener, done);
  }
  // The session is free for its next turn already; this one is answered once it is saved.
  return result.get_future().get();
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
