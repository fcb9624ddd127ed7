// The dialog state of one session between turns: active intent and form, filled slots,
// entities seen, emotion, handoff flag and a bounded window of recent messages for the LLM.
// Plain data, owned by whoever handles the session's current turn; serialised into the
// store's state blob by EncodeState/DecodeState.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/llm.h"

namespace parley::dialog {

struct SessionState {
  std::string active_intent;  // the last intent answered
  std::string form;           // intent whose form is being filled ("" = none)
  std::string pending_slot;   // the slot last asked for
  int reasks = 0;             // failed attempts at the pending slot
  std::map<std::string, std::string> slots;
  std::map<std::string, std::string> entities_seen;  // entity type -> last value
  std::string emotion = "neutral";
  std::string sentiment = "neutral";
  bool handoff = false;
  std::vector<engine::ChatMessage> recent;  // newest last, bounded
};

// Everything but `recent`, which the caller rebuilds from the session's turns.
std::string EncodeState(const SessionState& s);
// An unreadable blob (e.g. from a future version) yields a fresh state.
SessionState DecodeState(const std::string& blob);

}  // namespace parley::dialog
