#include "api/dialog_routes.h"

#include "http/error_response.h"
#include "http/sse.h"
#include "util/json_writer.h"
#include "util/text.h"

namespace parley::api {
namespace {

Error NoFlow() {
  return MakeError(ErrorCode::kUnavailable,
                   "no dialog flow is configured (set dialog.flow or use `parley serve --flow`)",
                   "dialog_unavailable");
}

Error Busy() {
  return MakeError(ErrorCode::kUnavailable, "too many dialog turns queued; retry shortly",
                   "overloaded");
}

Json SessionJson(const dialog::SessionView& v) {
  Json history = Json::array();
  for (const auto& t : v.history) {
    Json details = Json::parse(t.details, nullptr, false);
    history.push_back({{"turn", t.seq},
                       {"conversation", t.epoch},
                       {"time_ms", t.time_ms},
                       {"message", t.user_text},
                       {"reply", t.reply},
                       {"source", t.source},
                       {"intent", {{"name", t.intent}, {"confidence", t.confidence}}},
                       {"details", details.is_discarded() ? Json() : details}});
  }
  Json events = Json::array();
  for (const auto& e : v.events) {
    Json data = Json::parse(e.data, nullptr, false);
    events.push_back({{"type", e.type}, {"data", data.is_discarded() ? Json() : data}});
  }
  const auto& r = v.record;
  return {{"session_id", r.id},
          {"user_id", r.user_id},
          {"channel", r.channel},
          {"created_ms", r.created_ms},
          {"updated_ms", r.updated_ms},
          {"turns", r.turn_count},
          {"conversation", r.epoch},
          {"expired", v.expired},
          {"handoff", r.handoff},
          {"state",
           {{"active_intent", v.state.active_intent},
            {"form", v.state.form},
            {"pending_slot", v.state.pending_slot},
            {"slots", v.state.slots},
            {"entities_seen", v.state.entities_seen},
            {"emotion", v.state.emotion}}},
          {"history", history},
          {"events", events}};
}

// Streams LLM deltas as SSE data events; called on the engine's thread.
class SseListener : public dialog::ReplyListener {
 public:
  SseListener(http::SseStream* sse, const security::ContentGuard* guard) : sse_(sse) {
    if (guard) guard_ = std::make_unique<security::StreamGuard>(guard);
  }
  void OnDelta(std::string_view raw) override {
    const std::string text = guard_ ? guard_->Write(raw) : std::string(raw);
    streamed_ = true;
    if (!text.empty()) sse_->Data(Dump({{"type", "delta"}, {"text", text}}));
  }
  // What the guard still held back at the end of the reply.
  void Flush() {
    if (!guard_) return;
    const std::string rest = guard_->Finish();
    if (!rest.empty()) sse_->Data(Dump({{"type", "delta"}, {"text", rest}}));
  }
  bool Cancelled() const override { return sse_->cancelled(); }
  bool streamed() const { return streamed_; }

 private:
  http::SseStream* sse_;
  std::unique_ptr<security::StreamGuard> guard_;  // engine thread while generating
  std::atomic<bool> streamed_{false};
};

bool Generated(const dialog::TurnReply& r) {
  return r.source == dialog::Source::kLlm || r.source == dialog::Source::kKnowledge;
}

void Count(obs::Family<obs::Counter>* turns, const Result<dialog::TurnReply>& r) {
  if (turns && r.ok()) turns->With({dialog::SourceName(r->source)})->Inc();
}

void RespondTurn(const http::ExchangePtr& ex, const DialogDeps& deps, Result<dialog::TurnReply> r) {
  Count(deps.turns, r);
  if (r.ok()) GuardReply(deps.output_guard, &*r);
  ex->Respond(r.ok() ? http::Response::Json(200, TurnReplyBody(*r))
                     : http::ErrorResponse(r.error()));
}

void RunTurn(const http::ExchangePtr& ex, const DialogDeps& deps, const DialogRequest& req) {
  dialog::Assistant* assistant = deps.assistant;
  if (!req.stream) return RespondTurn(ex, deps, assistant->HandleTurn(req.input));
  http::SseStream sse(ex);
  sse.Start();
  SseListener listener(&sse, deps.output_guard);
  auto r = assistant->HandleTurn(req.input, &listener);
  Count(deps.turns, r);
  listener.Flush();
  if (r.ok()) GuardReply(deps.output_guard, &*r);
  if (!r.ok()) {
    sse.Event("error", http::ErrorBody(r.error()));
  } else {
    if (!listener.streamed()) sse.Data(Dump({{"type", "delta"}, {"text", r->reply}}));
    sse.Data(TurnReplyBody(*r, "reply"));  // sent only once the turn is saved
  }
  sse.Data("[DONE]");
  sse.End();
}

void PostDialog(const http::ExchangePtr& ex, const DialogDeps& deps) {
  if (!deps.assistant) return ex->RespondError(NoFlow());
  auto body = ParseJsonBody(ex->request(), deps.max_json_depth);
  if (!body.ok()) return ex->RespondError(body.error());
  auto req = ParseDialogRequest(*body);
  if (!req.ok()) return ex->RespondError(req.error());
  if (Status s = deps.assistant->CheckMessage(req->input.message); !s.ok()) {
    return ex->RespondError(s.error());
  }
  // Rule answers for sessions in memory finish here, on the I/O thread; the reply goes out once
  // the store's writer has saved the turn. The rest (a store read, the knowledge base, the LLM)
  // runs on the worker pool.
  if (!req->stream) {
    const bool quick = deps.assistant->TryQuickTurn(
        req->input,
        [ex, deps](Result<dialog::TurnReply> r) { RespondTurn(ex, deps, std::move(r)); });
    if (quick) return;
  }
  const bool queued =
      deps.workers->Submit([ex, deps, r = std::move(*req)] { RunTurn(ex, deps, r); });
  if (!queued) ex->RespondError(Busy());
}

// An integer query parameter in [min, max]; `fallback` when absent, -1 (and *error) when bad.
int64_t IntParam(const http::Request& req, const char* name, int64_t fallback, int64_t min,
                 int64_t max, Error* error) {
  bool found = false;
  const std::string raw = req.QueryParam(name, &found);
  if (!found) return fallback;
  const auto n = text::ParseInt(raw);
  if (!n || *n < min || *n > max) {
    *error = MakeError(ErrorCode::kInvalidArgument,
                       std::string(name) + " must be an integer from " + std::to_string(min) +
                           " to " + std::to_string(max),
                       "invalid_value", name);
    return -1;
  }
  return *n;
}

void SessionRoute(const http::ExchangePtr& ex, const DialogDeps& deps, bool del) {
  if (!deps.assistant) return ex->RespondError(NoFlow());
  const std::string id(ex->request().Param("id"));
  if (Status s = dialog::Assistant::CheckSessionId(id); !s.ok()) return ex->RespondError(s.error());
  Error error;
  const int64_t limit = del ? 0 : IntParam(ex->request(), "limit", 100, 1, 10000, &error);
  const int64_t before =
      del || limit < 0 ? 0 : IntParam(ex->request(), "before", 0, 1, INT64_MAX, &error);
  if (limit < 0 || before < 0) return ex->RespondError(error);
  const bool queued = deps.workers->Submit([ex, a = deps.assistant, id, limit, before, del] {
    if (del) {
      auto r = a->DeleteSession(id);
      if (!r.ok()) return ex->RespondError(r.error());
      if (!*r) {
        return ex->RespondError(MakeError(ErrorCode::kNotFound, "no session '" + id + "'",
                                          "session_not_found", "session_id"));
      }
      return ex->Respond(http::Response::Json(200, Dump({{"session_id", id}, {"deleted", true}})));
    }
    auto v = a->GetSession(id, limit, before);
    ex->Respond(v.ok() ? http::Response::Json(200, Dump(SessionJson(*v)))
                       : http::ErrorResponse(v.error()));
  });
  if (!queued) ex->RespondError(Busy());
}

}  // namespace

Result<DialogRequest> ParseDialogRequest(const Json& j) {
  if (!j.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "expected a JSON object like {\"message\":\"你好\"}", "invalid_body");
  }
  DialogRequest out;
  for (const auto& [key, value] : j.items()) {
    std::string* dst = key == "message"      ? &out.input.message
                       : key == "session_id" ? &out.input.session_id
                       : key == "user_id"    ? &out.input.user_id
                       : key == "channel"    ? &out.input.channel
                                             : nullptr;
    if (dst) {
      if (value.is_null() && key != "message") continue;
      if (!value.is_string()) {
        return MakeError(ErrorCode::kInvalidArgument, "'" + key + "' must be a string",
                         "invalid_type", key);
      }
      *dst = value.get<std::string>();
    } else if (key == "stream") {
      if (!value.is_boolean()) {
        return MakeError(ErrorCode::kInvalidArgument, "'stream' must be true or false",
                         "invalid_type", key);
      }
      out.stream = value.get<bool>();
    } else {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "unknown field '" + key + "' (expected message, session_id, user_id, channel, stream)",
          "unknown_field", key);
    }
  }
  if (!j.contains("message")) {
    return MakeError(ErrorCode::kInvalidArgument, "'message' is required", "missing_field",
                     "message");
  }
  for (const auto* field : {&out.input.user_id, &out.input.channel}) {
    if (field->size() > 128) {
      return MakeError(ErrorCode::kInvalidArgument, "user_id and channel are limited to 128 bytes",
                       "invalid_value", field == &out.input.user_id ? "user_id" : "channel");
    }
  }
  if (!out.input.session_id.empty()) {
    if (Status s = dialog::Assistant::CheckSessionId(out.input.session_id); !s.ok()) {
      return s.error();
    }
  } else if (j.contains("session_id") && !j["session_id"].is_null()) {
    return dialog::Assistant::CheckSessionId("").error();
  }
  return out;
}

std::string TurnReplyBody(const dialog::TurnReply& r, std::string_view type) {
  JsonWriter w;
  w.BeginObject();
  if (!type.empty()) w.Key("type").String(type);
  w.Key("session_id").String(r.session_id).Key("turn").Int(r.turn).Key("reply").String(r.reply);
  w.Key("source").String(dialog::SourceName(r.source));
  w.Key("intent").BeginObject().Key("name");
  r.intent.empty() ? w.Null() : w.String(r.intent);
  w.Key("confidence").Number(r.confidence).EndObject();
  w.Key("entities").BeginArray();
  for (const auto& e : r.entities) {
    w.BeginObject().Key("type").String(e.type).Key("value").String(e.value);
    w.Key("text").String(e.text).Key("start").Int(static_cast<int64_t>(e.start));
    w.Key("end").Int(static_cast<int64_t>(e.end)).EndObject();
  }
  w.EndArray().Key("slots").StringMap(r.slots);
  w.Key("emotion").String(r.emotion).Key("sentiment").String(r.sentiment);
  w.Key("handoff").Bool(r.handoff).Key("new_conversation").Bool(r.new_conversation);
  if (!r.runner_up.name.empty()) {
    w.Key("runner_up").BeginObject().Key("name").String(r.runner_up.name);
    w.Key("confidence").Number(r.runner_up.confidence).EndObject();
  }
  if (!r.citations.empty()) {
    w.Key("citations").BeginArray();
    for (const auto& c : r.citations) {
      w.BeginObject().Key("doc").Int(c.doc).Key("name").String(c.name);
      w.Key("title").String(c.title).Key("chunk").Int(c.chunk).Key("score").Number(c.score);
      w.Key("snippet").String(c.snippet).EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

Json TurnReplyJson(const dialog::TurnReply& r) { return Json::parse(TurnReplyBody(r)); }

void AddDialogRoutes(http::Router& router, const DialogDeps& deps) {
  router.Add("POST", "/v1/dialog", [deps](const http::ExchangePtr& ex) { PostDialog(ex, deps); });
  router.Add("GET", "/v1/sessions/{id}",
             [deps](const http::ExchangePtr& ex) { SessionRoute(ex, deps, false); });
  router.Add("DELETE", "/v1/sessions/{id}",
             [deps](const http::ExchangePtr& ex) { SessionRoute(ex, deps, true); });
}

void GuardReply(const security::ContentGuard* guard, dialog::TurnReply* reply) {
  if (!guard || !Generated(*reply)) return;
  const auto check = [guard](const std::string& in, bool* blocked) {
    security::StreamGuard g(guard);
    std::string out = g.Write(in);
    out += g.Finish();
    *blocked = g.blocked();
    return out;
  };
  bool blocked = false;
  reply->reply = check(reply->reply, &blocked);
  if (blocked) {
    reply->reply = guard->options().blocked_reply;
    reply->citations.clear();
    return;
  }
  // Cited snippets leave the server too.
  for (auto& c : reply->citations) {
    c.snippet = check(c.snippet, &blocked);
    if (blocked) c.snippet.clear();
  }
}

}  // namespace parley::api
