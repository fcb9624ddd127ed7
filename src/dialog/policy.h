// The dialog policy: given the NLU of a message and the session state, decide the reply.
// Order: a form in progress fills its slots (with cancel, re-asking and topic changes); a
// confident intent gets its rule answer (or starts its form, or hands off); anything else is
// marked for the knowledge base and the LLM, with the fallback text ready in case neither
// answers. Pure function of its inputs apart from mutating the state; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dialog/flow.h"
#include "dialog/nlu.h"
#include "dialog/state.h"
#include "dialog/template.h"

namespace parley::dialog {

enum class Source { kRule, kForm, kKnowledge, kLlm, kFallback };
const char* SourceName(Source s);

struct Decision {
  Source source = Source::kFallback;
  std::string reply;  // final, or the fallback when `ask_knowledge`/`ask_llm` find nothing
  std::string intent;
  double confidence = 0;
  bool ask_knowledge = false;  // out of scope: knowledge base, then LLM, then `reply`
  bool ask_llm = false;        // the intent wants an LLM answer (`reply` when there is none)
  bool handoff_started = false;
};

// `vars` holds the turn's variables (emotion, channel...); the session's slots are added to it
// as they fill.
Decision Decide(const Flow& flow, const NluResult& nlu, std::string_view message,
                SessionState* state, Vars& vars, uint64_t seed);

// The flow's fallback text (or a built-in one in the message's language).
std::string FallbackReply(const Flow& flow, std::string_view message, const Vars& vars,
                          uint64_t seed);

}  // namespace parley::dialog
