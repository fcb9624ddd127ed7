// The `dialog:` section of parley.yaml: the flow file and the limits of the dialog engine.
// Kept apart from schema.cc so the dialog layer's keys live in one place.
#include <cstdlib>

#include "config/schema.h"

namespace parley::config {

void AddDialogFields(std::vector<Field>& f) {
  using K = Kind;
  const int64_t kDay = 86400000;
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  add({"dialog",
       "flow",
       K::kPath,
       "",
       "Dialog flow file (JSON or YAML: intents, entities, forms, persona; see docs/dialog.md), "
       "looked up from the working directory, then next to the config file. Empty: no dialog "
       "engine, `/v1/dialog` answers 503. Errors in it name the intent and field.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.dialog.flow = v.text; }});
  add({"dialog",
       "store",
       K::kPath,
       "data/parley.db",
       "SQLite file for sessions and turns (WAL mode). `memory` keeps them in process memory only.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.dialog.store = v.text; }});
  add({"dialog",
       "session_idle_timeout",
       K::kDuration,
       "30m",
       "A session idle this long starts fresh on its next message; its history stays queryable.",
       15 * 60000,
       30 * kDay,
       {},
       [](Config& c, const Value& v) { c.dialog.session_idle_timeout = Millis(v.number); }});
  add({"dialog",
       "intent_threshold",
       K::kString,
       "",
       "Override the flow's intent confidence threshold (0..1); empty: the flow's value.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.dialog.intent_threshold = v.text; },
       [](const Value& v) -> std::string {
         if (v.text.empty()) return {};
         char* end = nullptr;
         const double d = std::strtod(v.text.c_str(), &end);
         if (*end != '\0' || d < 0 || d > 1) return "expected a number from 0 to 1";
         return {};
       }});
  add({"dialog",
       "max_message_chars",
       K::kInt,
       "2000",
       "Longest user message in characters; longer gets 400.",
       1,
       1000000,
       {},
       [](Config& c, const Value& v) { c.dialog.max_message_chars = v.number; }});
  add({"dialog",
       "max_turns_per_session",
       K::kInt,
       "100000",
       "Turns one session may hold; further messages get 429 until it is deleted.",
       1,
       100000000,
       {},
       [](Config& c, const Value& v) { c.dialog.max_turns = v.number; }});
  add({"dialog",
       "history_turns",
       K::kInt,
       "8",
       "Recent turns given to the LLM as conversation context (also bounded by the token "
       "budget).",
       0,
       200,
       {},
       [](Config& c, const Value& v) { c.dialog.history_turns = v.number; }});
  add({"dialog",
       "llm_max_tokens",
       K::kInt,
       "256",
       "Most tokens the LLM may write per reply.",
       1,
       32768,
       {},
       [](Config& c, const Value& v) { c.dialog.llm_max_tokens = v.number; }});
  add({"dialog",
       "workers",
       K::kInt,
       "8",
       "Threads running dialog turns (NLU, store writes, waiting on the LLM), off the I/O "
       "threads.",
       1,
       256,
       {},
       [](Config& c, const Value& v) { c.dialog.workers = v.number; }});
  add({"dialog",
       "model_id",
       K::kString,
       "parley-assistant",
       "Model id under which the whole assistant pipeline is listed for OpenAI clients.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.dialog.model_id = v.text; }});
  add({"dialog",
       "seed",
       K::kInt,
       "0",
       "Seed for choosing among several responses of an intent (0: from the session id).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.dialog.seed = v.number; }});
  add({"dialog",
       "embedding_model",
       K::kString,
       "",
       "Id of an embedding model (`embeddings: true`) whose sentence similarity is an extra "
       "signal for intent classification; empty: lexical only. Patterns are embedded at start-up "
       "(the models load first) and every message once; such turns run on the dialog workers.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.dialog.embedding_model = v.text; }});
  add({"dialog",
       "embedding_weight",
       K::kString,
       "0.4",
       "Share of the embedding cosine in an intent's score when dialog.embedding_model is set "
       "(0..1; the lexical similarity gets the rest).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) {
         c.dialog.embedding_weight = std::strtod(v.text.c_str(), nullptr);
       },
       [](const Value& v) -> std::string {
         char* end = nullptr;
         const double d = std::strtod(v.text.c_str(), &end);
         if (v.text.empty() || *end != '\0' || d < 0 || d > 1)
           return "expected a number from 0 to 1";
         return {};
       }});
}

}  // namespace parley::config
