#include "api/openai_routes.h"

#include <chrono>
#include <random>

#include "api/openai_request.h"
#include "http/error_response.h"
#include "http/sse.h"
#include "util/clock.h"

namespace parley::api {
namespace {

std::string NewId(const char* prefix) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s-%016llx", prefix, static_cast<unsigned long long>(rng()));
  return buf;
}

const char* FinishName(engine::FinishReason r) {
  return r == engine::FinishReason::kLength ? "length" : "stop";
}

Json UsageJson(const engine::Usage& u) {
  return {{"prompt_tokens", u.prompt_tokens},
          {"completion_tokens", u.completion_tokens},
          {"total_tokens", u.prompt_tokens + u.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", u.cached_prompt_tokens}}}};
}

void RespondError(const http::ExchangePtr& ex, const Error& e) {
  auto r = http::ErrorResponse(e);
  if (e.code == ErrorCode::kUnavailable) r.headers.emplace_back("Retry-After", "1");
  ex->Respond(std::move(r));
}

// Reserved tokens and the output guard of one generation; used on the engine's thread.
struct Safety {
  std::shared_ptr<security::TokenReservation> reservation;
  std::unique_ptr<security::StreamGuard> guard;

  std::string Filter(std::string_view text) {
    return guard ? guard->Write(text) : std::string(text);
  }
  std::string Rest() { return guard ? guard->Finish() : std::string(); }
  bool blocked() const { return guard && guard->blocked(); }
  void Settle(const engine::Usage& u) {
    if (reservation) reservation->Settle(u.prompt_tokens + u.completion_tokens);
  }
};

// OpenAI's finish reason, or content_filter when the output guard stopped the text.
const char* Finish(engine::FinishReason r, const Safety& safety) {
  return safety.blocked() ? "content_filter" : FinishName(r);
}

// What every generation response repeats.
struct Envelope {
  std::string id;
  int64_t created;
  std::string model;
  bool chat;
};

// Streams a generation as OpenAI SSE chunks. Runs on the engine thread; each write is posted
// to the connection's thread by the Exchange. The stream's head goes out with the first event,
// so a request the engine rejects up front still gets a plain JSON error with its status.
class SseSink : public engine::TokenSink {
 public:
  SseSink(http::ExchangePtr ex, Envelope env, bool include_usage, Safety safety)
      : sse_(std::move(ex)),
        env_(std::move(env)),
        include_usage_(include_usage),
        safety_(std::move(safety)) {}

  void OnDelta(std::string_view raw) override {
    Begin();
    const std::string text = safety_.Filter(raw);
    if (!text.empty()) Delta(text);
  }
  void OnDone(engine::FinishReason reason, const engine::Usage& usage) override {
    Begin();
    safety_.Settle(usage);
    if (reason != engine::FinishReason::kCancelled) {
      if (const std::string rest = safety_.Rest(); !rest.empty()) Delta(rest);
      sse_.Data(Dump(Chunk(env_.chat ? Json::object() : Json(""), Finish(reason, safety_))));
      if (include_usage_) {
        Json u = Base();
        u["choices"] = Json::array();
        u["usage"] = UsageJson(usage);
        sse_.Data(Dump(u));
      }
      sse_.Data("[DONE]");
    }
    sse_.End();
  }
  void OnError(const Error& e) override {
    if (!started_) return RespondError(sse_.exchange(), e);
    sse_.Data(http::ErrorBody(e));
    sse_.End();
  }
  // A blocked output ends the generation: nothing more is worth decoding.
  bool Cancelled() const override { return sse_.cancelled() || safety_.blocked(); }

 private:
  void Delta(std::string_view text) {
    if (env_.chat) {
      sse_.Data(Dump(Chunk({{"content", text}}, nullptr)));
    } else {
      sse_.Data(Dump(Chunk(text, nullptr)));
    }
  }
  void Begin() {
    if (started_) return;
    started_ = true;
    sse_.Start();
    if (env_.chat) sse_.Data(Dump(Chunk({{"role", "assistant"}, {"content", ""}}, nullptr)));
  }

  Json Base() const {
    return {{"id", env_.id},
            {"object", env_.chat ? "chat.completion.chunk" : "text_completion"},
            {"created", env_.created},
            {"model", env_.model}};
  }
  Json Chunk(const Json& delta, const char* finish) const {
    Json c = Base();
    Json choice = {{"index", 0}};
    if (env_.chat) {
      choice["delta"] = delta;
    } else {
      choice["text"] = delta;
      choice["logprobs"] = nullptr;
    }
    choice["finish_reason"] = finish ? Json(finish) : Json(nullptr);
    c["choices"] = Json::array({choice});
    return c;
  }

  http::SseStream sse_;
  Envelope env_;
  bool include_usage_;
  Safety safety_;
  bool started_ = false;  // engine thread only
};

// Collects the whole generation and answers once.
class CollectSink : public engine::TokenSink {
 public:
  CollectSink(http::ExchangePtr ex, Envelope env, Safety safety)
      : ex_(std::move(ex)), env_(std::move(env)), safety_(std::move(safety)) {}
  void OnDelta(std::string_view text) override { text_ += safety_.Filter(text); }
  void OnDone(engine::FinishReason reason, const engine::Usage& usage) override {
    safety_.Settle(usage);
    text_ += safety_.Rest();
    Json choice = {{"index", 0}, {"finish_reason", Finish(reason, safety_)}};
    if (env_.chat) {
      choice["message"] = {{"role", "assistant"}, {"content", text_}};
    } else {
      choice["text"] = text_;
      choice["logprobs"] = nullptr;
    }
    Json body = {{"id", env_.id},
                 {"object", env_.chat ? "chat.completion" : "text_completion"},
                 {"created", env_.created},
                 {"model", env_.model},
                 {"choices", Json::array({choice})},
                 {"usage", UsageJson(usage)}};
    ex_->Respond(http::Response::Json(200, Dump(body)));
  }
  void OnError(const Error& e) override { RespondError(ex_, e); }
  bool Cancelled() const override { return ex_->cancelled() || safety_.blocked(); }

 private:
  http::ExchangePtr ex_;
  Envelope env_;
  Safety safety_;
  std::string text_;
};

// Reserves prompt + max_tokens against the caller's tokens-per-minute budget (the prompt is
// counted generously from its bytes; the unused part is refunded when the generation settles).
Result<Safety> MakeSafety(const OpenAiDeps& deps, const http::Request& req,
                          const engine::GenerateRequest& gen, int default_max_tokens) {
  Safety s;
  if (deps.output_guard) s.guard = std::make_unique<security::StreamGuard>(deps.output_guard);
  if (!deps.limiter || req.principal.empty()) return s;
  size_t bytes = gen.prompt.size();
  for (const auto& m : gen.messages) bytes += m.content.size();
  const int64_t tokens = static_cast<int64_t>(bytes / 2 + 16) +
                         (gen.max_tokens > 0 ? gen.max_tokens : default_max_tokens);
  auto r = std::make_shared<security::TokenReservation>(
      deps.limiter->ReserveTokens(req.principal, tokens));
  if (!r->ok()) return r->error();  // the caller adds the rate-limit headers
  s.reservation = std::move(r);
  return s;
}

void Generate(const http::ExchangePtr& ex, const OpenAiDeps& deps, bool chat) {
  auto body = ParseJsonBody(ex->request(), deps.max_json_depth);
  if (!body.ok()) return RespondError(ex, body.error());
  auto model_id = ModelField(*body);
  if (!model_id.ok()) return RespondError(ex, model_id.error());
  if (chat && deps.assistant && *model_id == deps.assistant_model) {
    return AssistantChat(ex, deps, *body);
  }
  auto view = deps.engine->Find(*model_id);
  if (!view.ok()) return RespondError(ex, view.error());
  const ModelLimits limits{deps.engine->MaxTokensCap(*view), view->model->n_vocab(), view->options};
  auto parsed = ParseGenerate(*body, chat, ex->request(), limits);
  if (!parsed.ok()) return RespondError(ex, parsed.error());
  parsed->request.model = view->options->id;
  auto safety = MakeSafety(deps, ex->request(), parsed->request, view->options->max_tokens);
  if (!safety.ok()) {
    auto r = http::ErrorResponse(safety.error());
    r.headers.emplace_back("Retry-After", "60");
    r.headers.emplace_back("x-ratelimit-limit-tokens",
                           std::to_string(deps.limiter->options().key_tokens_per_minute));
    return ex->Respond(std::move(r));
  }
  Envelope env{NewId(chat ? "chatcmpl" : "cmpl"), UnixSeconds(), view->options->id, chat};
  if (parsed->stream) {
    auto sink =
        std::make_shared<SseSink>(ex, std::move(env), parsed->include_usage, std::move(*safety));
    const Status s = deps.engine->Generate(std::move(parsed->request), sink);
    if (!s.ok()) return RespondError(ex, s.error());
    return;
  }
  auto sink = std::make_shared<CollectSink>(ex, std::move(env), std::move(*safety));
  if (Status s = deps.engine->Generate(std::move(parsed->request), sink); !s.ok()) {
    RespondError(ex, s.error());
  }
}

}  // namespace

void AddOpenAiRoutes(http::Router& router, const OpenAiDeps& deps) {
  router.Add("POST", "/v1/chat/completions",
             [deps](const http::ExchangePtr& ex) { Generate(ex, deps, true); });
  router.Add("POST", "/v1/completions",
             [deps](const http::ExchangePtr& ex) { Generate(ex, deps, false); });
  AddModelRoutes(router, deps);
}

}  // namespace parley::api
