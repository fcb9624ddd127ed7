// The knowledge-base API: POST /v1/kb/documents (upload, multipart or JSON), GET
// /v1/kb/documents, DELETE /v1/kb/documents/{id} and GET /v1/kb/search?q=&k=. Handlers check
// what they can on the I/O thread, then run ingestion, store access and search on the worker
// pool and answer from there. The deps must outlive the router.
#pragma once

#include "api/json_body.h"
#include "http/router.h"
#include "knowledge/knowledge_base.h"
#include "obs/metrics.h"
#include "util/thread_pool.h"

namespace parley::api {

struct KbDeps {
  knowledge::KnowledgeBase* kb = nullptr;  // null: knowledge disabled, the routes answer 503
  ThreadPool* workers = nullptr;
  int max_json_depth = 64;
  obs::Registry* metrics = nullptr;  // null: no knowledge metrics
};

// Also registers, when deps.metrics is set: parley_knowledge_documents and parley_knowledge_chunks
// (gauges) and parley_knowledge_uploads_total{result} (added, duplicate, rejected).
void AddKbRoutes(http::Router& router, const KbDeps& deps);

Json DocumentJson(const knowledge::DocumentInfo& d);
Json HitJson(const knowledge::Hit& h);

}  // namespace parley::api
