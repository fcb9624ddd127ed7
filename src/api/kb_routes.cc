#include "api/kb_routes.h"

#include "api/upload.h"
#include "http/error_response.h"
#include "knowledge/answerer.h"
#include "knowledge/parsers.h"
#include "util/text.h"

namespace parley::api {
namespace {

Error Disabled() {
  return MakeError(ErrorCode::kUnavailable,
                   "the knowledge base is disabled (knowledge.enabled: false)",
                   "knowledge_unavailable");
}

Error Busy() {
  return MakeError(ErrorCode::kUnavailable, "too much knowledge-base work queued; retry shortly",
                   "overloaded");
}

// Runs `fn` on the worker pool; answers 503 when the queue is full.
template <typename Fn>
void OnWorker(const http::ExchangePtr& ex, const KbDeps& deps, Fn fn) {
  if (!deps.workers->Submit([ex, fn = std::move(fn)] { fn(ex); })) ex->RespondError(Busy());
}

struct KbMetrics {
  obs::Counter* added = nullptr;
  obs::Counter* duplicate = nullptr;
  obs::Counter* rejected = nullptr;
  void Count(obs::Counter* c) const {
    if (c) c->Inc();
  }
};

KbMetrics RegisterMetrics(const KbDeps& deps) {
  KbMetrics m;
  if (!deps.metrics || !deps.kb) return m;
  auto* uploads =
      deps.metrics->AddCounter("parley_knowledge_uploads_total",
                               "Documents uploaded through the API, by outcome.", {"result"});
  m.added = uploads->With({"added"});
  m.duplicate = uploads->With({"duplicate"});
  m.rejected = uploads->With({"rejected"});
  auto* chunks =
      deps.metrics->AddGauge("parley_knowledge_chunks", "Chunks in the knowledge index.")->With({});
  auto* docs =
      deps.metrics->AddGauge("parley_knowledge_documents", "Documents in the knowledge base.")
          ->With({});
  deps.metrics->AddCollector([kb = deps.kb, chunks, docs] {
    chunks->Set(static_cast<double>(kb->chunk_count()));
    docs->Set(static_cast<double>(kb->document_count()));
  });
  return m;
}

void PostDocument(const http::ExchangePtr& ex, const KbDeps& deps, const KbMetrics& metrics) {
  auto up = ParseUpload(ex->request(), deps.max_json_depth);
  if (!up.ok()) {
    metrics.Count(metrics.rejected);
    return ex->RespondError(up.error());
  }
  knowledge::AddRequest req{std::move(up->name), std::move(up->bytes), std::nullopt, "",
                            std::move(up->title)};
  if (!up->type.empty()) {
    req.kind = knowledge::KindFromString(up->type);
    if (!req.kind) {
      metrics.Count(metrics.rejected);
      return ex->RespondError(MakeError(ErrorCode::kInvalidArgument,
                                        "type must be markdown, text, html, pdf or faq",
                                        "invalid_value", "type"));
    }
  }
  if (Status s = knowledge::KnowledgeBase::CheckName(req.name); !s.ok()) {
    metrics.Count(metrics.rejected);
    return ex->RespondError(s.error());
  }
  OnWorker(ex, deps, [kb = deps.kb, req = std::move(req), metrics](const http::ExchangePtr& ex) {
    auto r = kb->Add(req);
    metrics.Count(!r.ok() ? metrics.rejected : r->duplicate ? metrics.duplicate : metrics.added);
    if (!r.ok()) return ex->RespondError(r.error());
    Json body = {{"document", DocumentJson(r->document)},
                 {"duplicate", r->duplicate},
                 {"replaced", r->replaced}};
    ex->Respond(http::Response::Json(r->duplicate ? 200 : 201, Dump(body)));
  });
}

void ListDocuments(const http::ExchangePtr& ex, const KbDeps& deps) {
  OnWorker(ex, deps, [kb = deps.kb](const http::ExchangePtr& ex) {
    auto docs = kb->List();
    if (!docs.ok()) return ex->RespondError(docs.error());
    Json data = Json::array();
    for (const auto& d : *docs) data.push_back(DocumentJson(d));
    ex->Respond(http::Response::Json(
        200, Dump({{"object", "list"}, {"data", data}, {"chunks", kb->chunk_count()}})));
  });
}

void DeleteDocument(const http::ExchangePtr& ex, const KbDeps& deps) {
  const auto id = text::ParseInt(ex->request().Param("id"));
  if (!id || *id <= 0) {
    return ex->RespondError(MakeError(ErrorCode::kInvalidArgument,
                                      "document id must be a positive integer", "invalid_value",
                                      "id"));
  }
  OnWorker(ex, deps, [kb = deps.kb, id = *id](const http::ExchangePtr& ex) {
    auto r = kb->Remove(id);
    if (!r.ok()) return ex->RespondError(r.error());
    ex->Respond(
        http::Response::Json(200, Dump({{"id", id}, {"name", r->name}, {"deleted", true}})));
  });
}

void Search(const http::ExchangePtr& ex, const KbDeps& deps) {
  const auto& req = ex->request();
  bool found = false;
  std::string q = req.QueryParam("q", &found);
  if (!found) {
    return ex->RespondError(
        MakeError(ErrorCode::kInvalidArgument, "'q' is required", "missing_field", "q"));
  }
  if (Status s = deps.kb->CheckQuery(q); !s.ok()) return ex->RespondError(s.error());
  int64_t k = static_cast<int64_t>(deps.kb->options().top_k);
  if (req.QueryParam("k", &found); found) {
    const auto n = text::ParseInt(req.QueryParam("k"));
    if (!n || *n < 1 || *n > 100) {
      return ex->RespondError(MakeError(
          ErrorCode::kInvalidArgument, "k must be an integer from 1 to 100", "invalid_value", "k"));
    }
    k = *n;
  }
  OnWorker(ex, deps, [kb = deps.kb, q = std::move(q), k](const http::ExchangePtr& ex) {
    auto hits = kb->Search(q, static_cast<size_t>(k));
    if (!hits.ok()) return ex->RespondError(hits.error());
    Json data = Json::array();
    for (const auto& h : *hits) data.push_back(HitJson(h));
    ex->Respond(http::Response::Json(
        200, Dump({{"query", q}, {"mode", kb->hybrid() ? "hybrid" : "lexical"}, {"hits", data}})));
  });
}

}  // namespace

Json DocumentJson(const knowledge::DocumentInfo& d) {
  return {{"id", d.id},
          {"name", d.name},
          {"title", d.title},
          {"source", d.source},
          {"kind", d.kind},
          {"hash", d.hash},
          {"bytes", d.bytes},
          {"chunks", d.chunks},
          {"created_ms", d.created_ms},
          {"updated_ms", d.updated_ms}};
}

Json HitJson(const knowledge::Hit& h) {
  Json j = {{"doc", h.doc_id},        {"name", h.doc_name},
            {"title", h.title},       {"chunk", h.chunk},
            {"heading", h.heading},   {"score", h.score},
            {"coverage", h.coverage}, {"snippet", knowledge::Excerpt(h.text, 160)},
            {"text", h.text}};
  if (!h.answer.empty()) j["answer"] = h.answer;
  if (h.similarity != 0) j["similarity"] = h.similarity;
  return j;
}

void AddKbRoutes(http::Router& router, const KbDeps& deps) {
  auto route = [&router, deps](const char* method, const char* path,
                               void (*fn)(const http::ExchangePtr&, const KbDeps&)) {
    router.Add(method, path, [deps, fn](const http::ExchangePtr& ex) {
      if (!deps.kb) return ex->RespondError(Disabled());
      fn(ex, deps);
    });
  };
  const KbMetrics metrics = RegisterMetrics(deps);
  router.Add("POST", "/v1/kb/documents", [deps, metrics](const http::ExchangePtr& ex) {
    if (!deps.kb) return ex->RespondError(Disabled());
    PostDocument(ex, deps, metrics);
  });
  route("GET", "/v1/kb/documents", ListDocuments);
  route("DELETE", "/v1/kb/documents/{id}", DeleteDocument);
  route("GET", "/v1/kb/search", Search);
}

}  // namespace parley::api
