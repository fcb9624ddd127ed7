// A dialog flow: what a business has written for its assistant (intents with patterns and
// answers, entities, forms with slots, persona, thresholds). Parsed and validated once by
// LoadFlow (flow_loader.h); a plain immutable value afterwards, shared by every session.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace parley::dialog {

// A condition on the turn's variables (slots, emotion, sentiment, channel):
//   "order_id"  (set), "!order_id" (unset), "emotion == sadness", "channel != web".
struct Condition {
  std::string var;
  enum class Op { kSet, kUnset, kEq, kNe } op = Op::kSet;
  std::string value;
};

// One candidate answer: text with {var} placeholders, used when every condition holds.
struct ResponseVariant {
  std::string text;
  std::vector<Condition> when;
};

struct SlotSpec {
  std::string name;
  std::string entity;    // entity type that fills it ("" = the whole message)
  std::string question;  // asked while the slot is missing
  bool required = true;
  std::string pattern;               // validation: RE2 full match on the value ("" = any)
  std::vector<std::string> choices;  // validation: one of these ("" = any)
  std::optional<double> min, max;    // validation for numeric values
  std::string invalid;               // said when the value fails validation, before asking again
};

enum class IntentAction { kNone, kHandoff, kCancel };

struct IntentSpec {
  std::string name;
  std::vector<std::string> patterns;
  std::vector<std::string> keywords;       // a keyword in the message is strong evidence
  std::vector<ResponseVariant> responses;  // one is chosen (seeded) among those whose `when` holds
  std::vector<SlotSpec> slots;             // a form: filled before the responses are used
  IntentAction action = IntentAction::kNone;
  bool use_llm = false;  // answer with the LLM (responses are the fallback when no model)
  // The intent library entry whose messages extend the patterns (intent_library.h): "" = the
  // one the patterns match, if any; "none" = never.
  std::string library;
};

struct EntityValue {
  std::string value;
  std::vector<std::string> synonyms;
};

struct EntitySpec {
  std::string name;
  enum class Type { kRegex, kLookup } type = Type::kRegex;
  std::string pattern;              // kRegex (RE2 syntax, matched case-insensitively)
  std::vector<EntityValue> values;  // kLookup
};

struct Persona {
  std::string name = "Parley";
  std::string system_prompt = "You are a helpful assistant.";
  std::string style;     // e.g. "warm, brief"
  std::string language;  // e.g. "zh" or "en"; "" = answer in the user's language
};

struct Flow {
  std::vector<IntentSpec> intents;
  std::vector<EntitySpec> entities;
  Persona persona;
  std::vector<ResponseVariant> fallback;  // when nothing else can answer
  std::vector<ResponseVariant> handoff_reply;
  std::vector<ResponseVariant> cancel_reply;
  double threshold = 0.3;      // least calibrated confidence for a rule answer
  double margin = 0;           // least raw-similarity gap between the best intent and the runner-up
  bool intent_library = true;  // extend intents with the library's messages (intent_library.h)
  bool other_domains = true;   // a business or topic the flow never names means fallback
  bool intent_models = true;   // softmax models weigh the scores (softmax_model.h)
  std::string source;          // file it came from

  const IntentSpec* Find(const std::string& name) const;
};

}  // namespace parley::dialog
