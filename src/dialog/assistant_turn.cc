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

Result<TurnReply> Assistant::HandleTurn(const TurnInput& in, ReplyListener* listener) {
  if (Status s = CheckMessage(in.message); !s.ok()) return s.error();
  const std::string id = in.session_id.empty() ? NewSessionId() : in.session_id;
  if (Status s = CheckSessionId(id); !s.ok()) return s.error();

  std::lock_guard session_lock(LockFor(id));
  auto loaded = store_->Load(id);
  if (!loaded.ok()) return loaded.error();
  const int64_t now = Now();
  TurnReply out;
  out.session_id = id;
  store::SessionRecord rec;
  SessionState state;
  if (*loaded) {
    rec = **loaded;
    if (rec.turn_count >= options_.max_turns) {
      return MakeError(ErrorCode::kResourceExhausted,
                       "session " + id + " has reached its limit of " +
                           std::to_string(options_.max_turns) + " turns; start a new session",
                       "session_turn_limit", "session_id");
    }
    if (now - rec.updated_ms > options_.idle_timeout.count()) {
      ++rec.epoch;  // expired: a fresh conversation, the old turns stay in the history
      out.new_conversation = true;
    } else {
      state = DecodeState(rec.state);
    }
  } else {
    rec.id = id;
    rec.created_ms = now;
    rec.epoch = 1;
    out.new_conversation = true;
  }
  if (!in.user_id.empty()) rec.user_id = in.user_id;
  if (!in.channel.empty()) rec.channel = in.channel;

  const auto today = std::chrono::floor<std::chrono::days>(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(now)));
  const NluResult nlu = nlu_->Analyze(in.message, today);
  Vars vars = TurnVars(in, id, nlu, *flow_);
  const uint64_t seed = Mix(options_.seed ^ std::hash<std::string>{}(id) ^ Mix(rec.turn_count));
  Decision d = Decide(*flow_, nlu, in.message, &state, vars, seed);

  if (d.ask_knowledge && knowledge_) {
    if (auto k = knowledge_->Answer({in.message, nlu.normalized, state.recent})) {
      d.reply = k->text;
      d.source = Source::kKnowledge;
      d.ask_knowledge = false;
      out.citations = k->citations;
    }
  }
  if (d.ask_knowledge || d.ask_llm) {
    for (const auto& [k, v] : state.slots) vars.emplace(k, v);
    if (auto text = AskLlm(state, vars, in.message, id, listener)) {
      d.reply = std::move(*text);
      d.source = Source::kLlm;
    }
  }

  for (const auto& e : nlu.entities) state.entities_seen[e.type] = e.value;
  state.emotion = nlu.sentiment.emotion;
  state.sentiment = nlu.sentiment.label;
  state.recent.push_back({"user", in.message});
  state.recent.push_back({"assistant", d.reply});
  const size_t keep = static_cast<size_t>(std::max(1, options_.history_turns)) * 2;
  if (state.recent.size() > keep)
    state.recent.erase(state.recent.begin(), state.recent.end() - keep);

  out.turn = rec.turn_count + 1;
  out.reply = d.reply;
  out.source = d.source;
  out.intent = d.intent;
  out.confidence = d.confidence;
  out.runner_up = nlu.intent.runner_up;
  out.entities = nlu.entities;
  out.slots = state.slots;
  out.emotion = nlu.sentiment.emotion;
  out.sentiment = nlu.sentiment.label;
  out.handoff = state.handoff;

  rec.turn_count = out.turn;
  rec.updated_ms = now;
  rec.handoff = state.handoff;
  rec.state = EncodeState(state);
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
  if (Status s = store_->SaveTurn(rec, turn, events); !s.ok()) return s.error();
  if (options_.on_event) {
    for (const auto& e : events) options_.on_event(id, e);
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
  std::lock_guard session_lock(LockFor(id));
  return store_->Delete(id);
}

}  // namespace parley::dialog
