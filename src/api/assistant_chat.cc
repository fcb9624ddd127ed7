// /v1/chat/completions with the assistant's model id: the last user message goes through the
// whole dialog pipeline (rules, forms, knowledge, LLM), answered in the OpenAI shapes, streamed or
// not. The session comes from X-Session-Id or `user` (a new one is made and returned in the
// X-Session-Id header otherwise); the reply's dialog details ride along under "parley".
#include <chrono>

#include "api/dialog_routes.h"
#include "api/openai_request.h"
#include "api/openai_routes.h"
#include "http/error_response.h"
#include "http/sse.h"
#include "util/clock.h"

namespace parley::api {
namespace {

Json Envelope(const std::string& id, int64_t created, const std::string& model, bool chunk) {
  return {{"id", id},
          {"object", chunk ? "chat.completion.chunk" : "chat.completion"},
          {"created", created},
          {"model", model}};
}

Json Details(const dialog::TurnReply& r) {
  Json j = TurnReplyJson(r);
  j.erase("reply");
  return j;
}

// Forwards LLM deltas as OpenAI chunks; called on the engine's thread.
class ChunkListener : public dialog::ReplyListener {
 public:
  ChunkListener(http::SseStream* sse, Json base, const security::ContentGuard* guard)
      : sse_(sse), base_(std::move(base)) {
    if (guard) guard_ = std::make_unique<security::StreamGuard>(guard);
  }
  // Generated text, through the output guard when there is one.
  void OnDelta(std::string_view raw) override {
    streamed_ = true;
    Send(guard_ ? guard_->Write(raw) : std::string(raw));
  }
  void Flush() {
    if (guard_) Send(guard_->Finish());
  }
  // Text that needs no guarding (a rule's reply, already checked).
  void Send(std::string_view text) {
    if (text.empty()) return;
    Json c = base_;
    c["choices"] =
        Json::array({{{"index", 0}, {"delta", {{"content", text}}}, {"finish_reason", nullptr}}});
    sse_->Data(Dump(c));
  }
  bool Cancelled() const override { return sse_->cancelled(); }
  bool streamed() const { return streamed_; }

 private:
  http::SseStream* sse_;
  Json base_;
  std::unique_ptr<security::StreamGuard> guard_;  // engine thread while generating
  std::atomic<bool> streamed_{false};
};

void Run(const http::ExchangePtr& ex, const OpenAiDeps& deps, dialog::TurnInput input,
         bool stream) {
  const int64_t created = UnixSeconds();
  const std::string id = "chatcmpl-" + dialog::Assistant::NewSessionId();
  const Json base = Envelope(id, created, deps.assistant_model, stream);
  if (!stream) {
    auto r = deps.assistant->HandleTurn(input);
    if (!r.ok()) return ex->RespondError(r.error());
    GuardReply(deps.output_guard, &*r);
    Json body = base;
    body["choices"] = Json::array({{{"index", 0},
                                    {"message", {{"role", "assistant"}, {"content", r->reply}}},
                                    {"finish_reason", "stop"}}});
    body["parley"] = Details(*r);
    auto resp = http::Response::Json(200, Dump(body));
    resp.headers.emplace_back("X-Session-Id", r->session_id);
    return ex->Respond(std::move(resp));
  }
  http::SseStream sse(ex);
  sse.Start();
  Json first = base;
  first["choices"] = Json::array({{{"index", 0},
                                   {"delta", {{"role", "assistant"}, {"content", ""}}},
                                   {"finish_reason", nullptr}}});
  sse.Data(Dump(first));
  ChunkListener listener(&sse, base, deps.output_guard);
  auto r = deps.assistant->HandleTurn(input, &listener);
  if (!r.ok()) {
    sse.Data(http::ErrorBody(r.error()));
  } else {
    listener.Flush();
    GuardReply(deps.output_guard, &*r);
    if (!listener.streamed()) listener.Send(r->reply);
    Json last = base;
    last["choices"] =
        Json::array({{{"index", 0}, {"delta", Json::object()}, {"finish_reason", "stop"}}});
    last["parley"] = Details(*r);
    sse.Data(Dump(last));
    sse.Data("[DONE]");
  }
  sse.End();
}

}  // namespace

void AssistantChat(const http::ExchangePtr& ex, const OpenAiDeps& deps, const Json& body) {
  auto messages = ParseMessages(body);
  if (!messages.ok()) return ex->RespondError(messages.error());
  if (messages->back().role != "user") {
    return ex->RespondError(MakeError(ErrorCode::kInvalidArgument,
                                      "the last message must come from the user", "invalid_value",
                                      "messages"));
  }
  auto session = SessionField(body, ex->request());
  if (!session.ok()) return ex->RespondError(session.error());
  bool stream = false;
  if (auto s = body.find("stream"); s != body.end() && !s->is_null()) {
    if (!s->is_boolean()) {
      return ex->RespondError(MakeError(
          ErrorCode::kInvalidArgument, "'stream' must be true or false", "invalid_type", "stream"));
    }
    stream = s->get<bool>();
  }
  dialog::TurnInput input;
  input.session_id = *session;
  input.channel = "openai";
  input.message = messages->back().content;
  if (Status s = deps.assistant->CheckMessage(input.message); !s.ok())
    return ex->RespondError(s.error());
  if (!input.session_id.empty()) {
    if (Status s = dialog::Assistant::CheckSessionId(input.session_id); !s.ok()) {
      return ex->RespondError(s.error());
    }
  }
  const bool queued = deps.workers->Submit(
      [ex, deps, input = std::move(input), stream] { Run(ex, deps, input, stream); });
  if (!queued) {
    auto r = http::ErrorResponse(
        MakeError(ErrorCode::kUnavailable, "the assistant is busy; retry shortly", "queue_full"));
    r.headers.emplace_back("Retry-After", "1");
    ex->Respond(std::move(r));
  }
}

}  // namespace parley::api
