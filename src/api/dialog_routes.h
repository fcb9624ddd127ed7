// The dialog API: POST /v1/dialog (one user message -> the assistant's reply, optionally as
// SSE), GET /v1/sessions/{id} (state and history) and DELETE /v1/sessions/{id}. Handlers parse
// and check the request on the I/O thread; rule-answered turns of sessions in memory run there
// too, the rest on the worker pool (a store read, the knowledge base or the LLM would block). The
// deps must outlive the router.
#pragma once

#include "api/json_body.h"
#include "dialog/assistant.h"
#include "http/router.h"
#include "obs/metrics.h"
#include "security/guard.h"
#include "util/thread_pool.h"

namespace parley::api {

struct DialogDeps {
  dialog::Assistant* assistant = nullptr;  // null: no flow configured, the routes answer 503
  ThreadPool* workers = nullptr;
  int max_json_depth = 64;
  obs::Family<obs::Counter>* turns = nullptr;  // parley_dialog_turns_total{source}, optional
  // The security layer's output guard for generated replies (LLM or knowledge), optional.
  const security::ContentGuard* output_guard = nullptr;
};

// Passes a generated reply (LLM or knowledge source) through the output guard; rule and form
// replies are the business's own text and pass unchanged.
void GuardReply(const security::ContentGuard* guard, dialog::TurnReply* reply);

void AddDialogRoutes(http::Router& router, const DialogDeps& deps);

// The JSON of a reply, as /v1/dialog returns it (with a "type" member first when `type` is
// given); also used by `parley chat`. TurnReplyJson is the same as a JSON value.
std::string TurnReplyBody(const dialog::TurnReply& reply, std::string_view type = {});
Json TurnReplyJson(const dialog::TurnReply& reply);

struct DialogRequest {
  dialog::TurnInput input;
  bool stream = false;
};
// Parses and checks a /v1/dialog body; errors name the offending field.
Result<DialogRequest> ParseDialogRequest(const Json& body);

}  // namespace parley::api
