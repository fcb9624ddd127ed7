// GET /v1/models, POST /v1/embeddings, POST /tokenize, POST /detokenize.
#include <atomic>
#include <chrono>
#include <mutex>

#include "api/json_body.h"
#include "api/openai_routes.h"
#include "http/error_response.h"
#include "util/clock.h"

namespace parley::api {
namespace {

http::Response Error(const parley::Error& e) {
  auto r = http::ErrorResponse(e);
  if (e.code == ErrorCode::kUnavailable) r.headers.emplace_back("Retry-After", "1");
  return r;
}

parley::Error Invalid(const std::string& param, const std::string& what,
                      const char* reason = "invalid_value") {
  return MakeError(ErrorCode::kInvalidArgument, "'" + param + "' " + what, reason, param);
}

http::Response ListModels(const OpenAiDeps& deps) {
  const engine::LlamaEngine& engine = *deps.engine;
  static const int64_t created = UnixSeconds();
  Json data = Json::array();
  for (const auto& m : engine.Models()) {
    data.push_back(
        {{"id", m.id},
         {"object", "model"},
         {"created", created},
         {"owned_by", "parley"},
         {"meta",
          {{"context", m.context_size}, {"embeddings", m.embeddings}, {"loaded", m.loaded}}}});
  }
  if (deps.assistant) {
    data.push_back({{"id", deps.assistant_model},
                    {"object", "model"},
                    {"created", created},
                    {"owned_by", "parley"},
                    {"meta", {{"assistant", true}, {"llm", deps.assistant->has_llm()}}}});
  }
  return http::Response::Json(200, Dump({{"object", "list"}, {"data", data}}));
}

// Collects the vectors of a multi-input embeddings request; answers when the last arrives.
struct EmbeddingBatch {
  http::ExchangePtr ex;
  std::string model;
  std::mutex mu;
  std::vector<std::vector<float>> vectors;
  int tokens = 0;
  size_t pending = 0;
  bool failed = false;

  void Done(size_t index, Result<std::vector<float>> r, int n) {
    std::lock_guard lock(mu);
    if (failed) return;
    if (!r.ok()) {
      failed = true;
      ex->Respond(Error(r.error()));
      return;
    }
    vectors[index] = std::move(*r);
    tokens += n;
    if (--pending > 0) return;
    Json data = Json::array();
    for (size_t i = 0; i < vectors.size(); ++i) {
      data.push_back({{"object", "embedding"}, {"index", i}, {"embedding", vectors[i]}});
    }
    ex->Respond(http::Response::Json(
        200, Dump({{"object", "list"},
                   {"data", data},
                   {"model", model},
                   {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}})));
  }
};

void Embeddings(const http::ExchangePtr& ex, const OpenAiDeps& deps) {
  auto body = ParseJsonBody(ex->request(), deps.max_json_depth);
  if (!body.ok()) return ex->Respond(Error(body.error()));
  if (!body->is_object())
    return ex->Respond(Error(Invalid("body", "must be a JSON object", "invalid_type")));
  std::string model;
  if (auto m = body->find("model"); m != body->end() && !m->is_null()) {
    if (!m->is_string())
      return ex->Respond(Error(Invalid("model", "must be a string", "invalid_type")));
    model = m->get<std::string>();
  }
  std::vector<std::string> inputs;
  const auto in = body->find("input");
  if (in == body->end()) return ex->Respond(Error(Invalid("input", "is required")));
  if (in->is_string()) {
    inputs.push_back(in->get<std::string>());
  } else if (in->is_array() && !in->empty() && in->size() <= 256) {
    for (const auto& s : *in) {
      if (!s.is_string())
        return ex->Respond(
            Error(Invalid("input", "must be a string or an array of strings", "invalid_type")));
      inputs.push_back(s.get<std::string>());
    }
  } else {
    return ex->Respond(Error(
        Invalid("input", "must be a string or an array of 1 to 256 strings", "invalid_type")));
  }
  for (const auto& s : inputs) {
    if (s.empty()) return ex->Respond(Error(Invalid("input", "must not contain empty strings")));
  }
  auto view = deps.engine->Find(model);
  if (!view.ok()) return ex->Respond(Error(view.error()));
  auto batch = std::make_shared<EmbeddingBatch>();
  batch->ex = ex;
  batch->model = view->options->id;
  batch->vectors.resize(inputs.size());
  batch->pending = inputs.size();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Status s = deps.engine->Embed(
        batch->model, inputs[i],
        [batch, i](Result<std::vector<float>> r, int n) { batch->Done(i, std::move(r), n); });
    if (!s.ok()) return batch->Done(i, s.error(), 0);
  }
}

http::Response Tokenize(const http::Request& req, const OpenAiDeps& deps) {
  auto body = ParseJsonBody(req, deps.max_json_depth);
  if (!body.ok()) return Error(body.error());
  if (!body->is_object()) return Error(Invalid("body", "must be a JSON object", "invalid_type"));
  const auto content = body->find("content");
  if (content == body->end() || !content->is_string()) {
    return Error(Invalid("content", "must be a string", "invalid_type"));
  }
  bool add_special = false, parse_special = false;
  for (auto [key, out] :
       {std::pair{"add_special", &add_special}, {"parse_special", &parse_special}}) {
    if (auto it = body->find(key); it != body->end() && !it->is_null()) {
      if (!it->is_boolean()) return Error(Invalid(key, "must be true or false", "invalid_type"));
      *out = it->get<bool>();
    }
  }
  std::string model;
  if (auto m = body->find("model"); m != body->end() && m->is_string())
    model = m->get<std::string>();
  auto view = deps.engine->Find(model);
  if (!view.ok()) return Error(view.error());
  const auto tokens =
      view->model->Tokenize(content->get<std::string>(), add_special, parse_special);
  return http::Response::Json(200, Dump({{"tokens", tokens}}));
}

http::Response Detokenize(const http::Request& req, const OpenAiDeps& deps) {
  auto body = ParseJsonBody(req, deps.max_json_depth);
  if (!body.ok()) return Error(body.error());
  const auto tokens = body->is_object() ? body->find("tokens") : body->end();
  if (tokens == body->end() || !tokens->is_array()) {
    return Error(Invalid("tokens", "must be an array of token ids", "invalid_type"));
  }
  std::string model;
  if (auto m = body->find("model"); m != body->end() && m->is_string())
    model = m->get<std::string>();
  auto view = deps.engine->Find(model);
  if (!view.ok()) return Error(view.error());
  std::vector<engine::Token> ids;
  for (const auto& t : *tokens) {
    if (!t.is_number_integer() || t.get<int64_t>() < 0 ||
        t.get<int64_t>() >= view->model->n_vocab()) {
      return Error(Invalid(
          "tokens", "must hold token ids from 0 to " + std::to_string(view->model->n_vocab() - 1)));
    }
    ids.push_back(t.get<engine::Token>());
  }
  return http::Response::Json(200, Dump({{"content", view->model->Detokenize(ids)}}));
}

}  // namespace

void AddModelRoutes(http::Router& router, const OpenAiDeps& deps) {
  router.AddSync("GET", "/v1/models", [deps](const http::Request&) { return ListModels(deps); });
  router.Add("POST", "/v1/embeddings",
             [deps](const http::ExchangePtr& ex) { Embeddings(ex, deps); });
  router.AddSync("POST", "/tokenize", [deps](const http::Request& r) { return Tokenize(r, deps); });
  router.AddSync("POST", "/detokenize",
                 [deps](const http::Request& r) { return Detokenize(r, deps); });
}

}  // namespace parley::api
