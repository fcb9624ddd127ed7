// Validation of a flow held as JSON: every field of intents, entities, slots and settings,
// with problems named by intent (or entity) and field. File reading is in flow_file.cc.
#include "dialog/flow_loader.h"

#include <re2/re2.h>

#include <nlohmann/json.hpp>
#include <set>

#include "dialog/intent_library.h"
#include "dialog/template.h"
#include "util/text.h"

namespace parley::dialog {
namespace {

using Json = nlohmann::json;

// Variables every template may use besides slots and entity types.
const std::set<std::string> kBuiltinVars = {"emotion", "sentiment",  "user_id",
                                            "channel", "intent",     "persona",
                                            "message", "session_id", "language"};

class Parser {
 public:
  explicit Parser(std::string name) : name_(std::move(name)) {}

  LoadedFlow Run(const Json& root) {
    if (!root.is_object()) {
      Fail(name_, "", "expected an object with an \"intents\" list at the top level");
      return Finish();
    }
    static const std::set<std::string> kTop = {
        "intents",          "entities",        "persona",      "fallback",
        "handoff_response", "cancel_response", "thresholds",   "threshold",
        "margin",           "version",         "name",         "description",
        "intent_library",   "other_domains",   "intent_models"};
    for (const auto& [key, _] : root.items()) {
      if (!kTop.count(key)) Warn(name_, key, "unknown top-level field, ignored");
    }
    ReadSettings(root);
    if (auto it = root.find("entities"); it != root.end()) ReadEntities(*it);
    const auto it = root.find("intents");
    if (it == root.end() || !it->is_array() || it->empty()) {
      Fail(name_, "intents", "expected a non-empty list of intents");
    } else {
      slot_names_ = CollectSlots(*it, slot_names_);
      for (size_t i = 0; i < it->size(); ++i) ReadIntent((*it)[i], i);
    }
    return Finish();
  }

 private:
  void Fail(std::string where, std::string field, std::string msg) {
    issues_.push_back({std::move(where), std::move(field), std::move(msg), false});
  }
  void Warn(std::string where, std::string field, std::string msg) {
    issues_.push_back({std::move(where), std::move(field), std::move(msg), true});
  }

  LoadedFlow Finish() {
    LoadedFlow out;
    out.issues = std::move(issues_);
    for (const auto& i : out.issues) {
      if (!i.warning) return out;
    }
    flow_.source = name_;
    out.flow = std::move(flow_);
    return out;
  }

  static std::set<std::string> CollectSlots(const Json& intents, std::set<std::string> names) {
    for (const auto& intent : intents) {
      if (!intent.is_object()) continue;
      for (const char* key : {"slots", "form"}) {
        const auto s = intent.find(key);
        if (s == intent.end() || !s->is_array()) continue;
        for (const auto& slot : *s) {
          if (slot.is_object() && slot.contains("name") && slot["name"].is_string()) {
            names.insert(slot["name"].get<std::string>());
          }
        }
      }
    }
    return names;
  }

  bool ReadString(const Json& j, const std::string& where, const std::string& field,
                  std::string* out, bool allow_empty = false) {
    if (!j.is_string() || (!allow_empty && text::Trim(j.get<std::string>()).empty())) {
      Fail(where, field, allow_empty ? "expected a string" : "expected a non-empty string");
      return false;
    }
    *out = j.get<std::string>();
    return true;
  }

  std::optional<double> ReadNumber(const Json& j, const std::string& where,
                                   const std::string& field) {
    if (j.is_number()) return j.get<double>();
    if (j.is_string()) {
      if (auto d = text::ParseDouble(j.get<std::string>())) return d;
    }
    Fail(where, field, "expected a number");
    return std::nullopt;
  }

  std::optional<bool> ReadBool(const Json& j, const std::string& where, const std::string& field) {
    if (j.is_boolean()) return j.get<bool>();
    if (j.is_string() && (j == "true" || j == "false")) return j == "true";
    Fail(where, field, "expected true or false");
    return std::nullopt;
  }

  std::vector<std::string> ReadStrings(const Json& j, const std::string& where,
                                       const std::string& field) {
    std::vector<std::string> out;
    if (!j.is_array()) {
      Fail(where, field, "expected a list of strings");
      return out;
    }
    for (size_t i = 0; i < j.size(); ++i) {
      std::string s;
      if (ReadString(j[i], where, field + "[" + std::to_string(i) + "]", &s)) out.push_back(s);
    }
    return out;
  }

  void CheckTemplate(const std::string& text, const std::string& where, const std::string& field,
                     const std::set<std::string>& local) {
    std::string error;
    for (const auto& var : TemplateVars(text, &error)) {
      if (!kBuiltinVars.count(var) && !slot_names_.count(var) && !entity_names_.count(var) &&
          !local.count(var)) {
        Fail(where, field, "unknown variable {" + var + "} (not a slot, entity or built-in)");
      }
    }
    if (!error.empty()) Fail(where, field, error);
  }

  // A response list: "text", ["a", "b"], or [{"text": "...", "when": "cond" | ["c1", "c2"]}].
  std::vector<ResponseVariant> ReadResponses(const Json& j, const std::string& where,
                                             const std::string& field,
                                             const std::set<std::string>& local = {}) {
    std::vector<ResponseVariant> out;
    if (j.is_string()) {
      out.push_back({j.get<std::string>(), {}});
      CheckTemplate(out.back().text, where, field, local);
      return out;
    }
    if (!j.is_array() || j.empty()) {
      Fail(where, field, "expected a string or a non-empty list of responses");
      return out;
    }
    for (size_t i = 0; i < j.size(); ++i) {
      const std::string f = field + "[" + std::to_string(i) + "]";
      ResponseVariant v;
      if (j[i].is_object()) {
        const auto t = j[i].find("text");
        if (t == j[i].end() || !ReadString(*t, where, f + ".text", &v.text)) {
          if (t == j[i].end()) Fail(where, f + ".text", "missing");
          continue;
        }
        if (auto w = j[i].find("when"); w != j[i].end()) {
          const Json list = w->is_array() ? *w : Json::array({*w});
          for (const auto& c : list) {
            std::string error;
            auto cond = c.is_string() ? ParseCondition(c.get<std::string>(), &error) : std::nullopt;
            if (!cond) {
              Fail(where, f + ".when", error.empty() ? "expected a condition string" : error);
            } else {
              v.when.push_back(*cond);
            }
          }
        }
      } else if (!ReadString(j[i], where, f, &v.text)) {
        continue;
      }
      CheckTemplate(v.text, where, f, local);
      out.push_back(std::move(v));
    }
    return out;
  }

  void ReadSettings(const Json& root) {
    if (auto p = root.find("persona"); p != root.end()) {
      if (!p->is_object()) {
        Fail(name_, "persona", "expected an object with name, system_prompt, style, language");
      } else {
        for (const auto& [key, value] : p->items()) {
          std::string* dst = key == "name"            ? &flow_.persona.name
                             : key == "system_prompt" ? &flow_.persona.system_prompt
                             : key == "style"         ? &flow_.persona.style
                             : key == "language"      ? &flow_.persona.language
                                                      : nullptr;
          if (!dst) {
            Fail(name_, "persona." + key, "unknown field (name, system_prompt, style, language)");
          } else {
            ReadString(value, name_, "persona." + key, dst, true);
          }
        }
      }
    }
    auto responses = [&](const char* key, std::vector<ResponseVariant>* dst) {
      if (auto it = root.find(key); it != root.end()) *dst = ReadResponses(*it, name_, key);
    };
    responses("fallback", &flow_.fallback);
    responses("handoff_response", &flow_.handoff_reply);
    responses("cancel_response", &flow_.cancel_reply);
    auto number = [&](const Json& obj, const char* key, const std::string& field, double* dst) {
      if (auto it = obj.find(key); it != obj.end()) {
        if (auto d = ReadNumber(*it, name_, field)) {
          if (*d < 0 || *d > 1) Fail(name_, field, "expected a number from 0 to 1");
          *dst = *d;
        }
      }
    };
    number(root, "threshold", "threshold", &flow_.threshold);
    number(root, "margin", "margin", &flow_.margin);
    if (auto t = root.find("thresholds"); t != root.end() && t->is_object()) {
      number(*t, "intent", "thresholds.intent", &flow_.threshold);
      number(*t, "margin", "thresholds.margin", &flow_.margin);
    }
    if (auto it = root.find("intent_library"); it != root.end()) {
      flow_.intent_library = ReadBool(*it, name_, "intent_library").value_or(true);
    }
    if (auto it = root.find("other_domains"); it != root.end()) {
      flow_.other_domains = ReadBool(*it, name_, "other_domains").value_or(true);
    }
    if (auto it = root.find("intent_models"); it != root.end()) {
      flow_.intent_models = ReadBool(*it, name_, "intent_models").value_or(true);
    }
  }

  void ReadEntities(const Json& list) {
    if (!list.is_array()) return Fail(name_, "entities", "expected a list of entities");
    for (size_t i = 0; i < list.size(); ++i) {
      const Json& e = list[i];
      std::string where = "entities[" + std::to_string(i) + "]";
      EntitySpec spec;
      if (!e.is_object() || !e.contains("name") ||
          !ReadString(e["name"], where, "name", &spec.name)) {
        if (e.is_object() && !e.contains("name")) Fail(where, "name", "missing");
        continue;
      }
      where += " \"" + spec.name + "\"";
      if (!entity_names_.insert(spec.name).second) Fail(where, "name", "duplicate entity name");
      if (auto p = e.find("pattern"); p != e.end()) {
        if (ReadString(*p, where, "pattern", &spec.pattern)) {
          RE2::Options opts;
          opts.set_log_errors(false);
          RE2 re(spec.pattern, opts);
          if (!re.ok()) Fail(where, "pattern", "not a valid RE2 regex: " + re.error());
        }
      } else if (auto v = e.find("values"); v != e.end() && v->is_array()) {
        spec.type = EntitySpec::Type::kLookup;
        ReadLookup(*v, where, &spec);
      } else {
        Fail(where, "pattern", "an entity needs a regex \"pattern\" or a \"values\" list");
      }
      flow_.entities.push_back(std::move(spec));
    }
  }

  void ReadLookup(const Json& values, const std::string& where, EntitySpec* spec) {
    for (size_t k = 0; k < values.size(); ++k) {
      const std::string f = "values[" + std::to_string(k) + "]";
      EntityValue ev;
      if (values[k].is_string()) {
        ev.value = values[k].get<std::string>();
      } else if (values[k].is_object() && values[k].contains("value")) {
        ReadString(values[k]["value"], where, f + ".value", &ev.value);
        if (auto s = values[k].find("synonyms"); s != values[k].end()) {
          ev.synonyms = ReadStrings(*s, where, f + ".synonyms");
        }
      } else {
        Fail(where, f, "expected a string or {value, synonyms}");
        continue;
      }
      if (!ev.value.empty()) spec->values.push_back(std::move(ev));
    }
  }

  SlotSpec ReadSlot(const Json& s, const std::string& where, const std::string& field);
  // `library`: a library intent id, or false / "none" to keep the library out of this intent.
  void ReadLibrary(const Json& value, const std::string& where, IntentSpec* in) {
    if (value.is_boolean()) {
      if (!value.get<bool>()) in->library = "none";
      return;
    }
    if (!ReadString(value, where, "library", &in->library)) return;
    if (in->library != "none" && FindLibraryIntent(in->library) < 0) {
      Fail(where, "library",
           "no library intent \"" + in->library + "\" (" +
               text::Join(LibraryIdsLike(in->library), ", ") + ", or none)");
    }
  }
  void ReadIntent(const Json& j, size_t index);

  std::string name_;
  Flow flow_;
  std::vector<FlowIssue> issues_;
  std::set<std::string> intent_names_, entity_names_, slot_names_;
};

SlotSpec Parser::ReadSlot(const Json& s, const std::string& where, const std::string& field) {
  SlotSpec slot;
  if (!s.is_object()) {
    Fail(where, field, "expected an object with name, entity, question...");
    return slot;
  }
  for (const auto& [key, value] : s.items()) {
    const std::string f = field + "." + key;
    if (key == "name") {
      ReadString(value, where, f, &slot.name);
    } else if (key == "entity") {
      ReadString(value, where, f, &slot.entity);
    } else if (key == "question" || key == "prompt") {
      ReadString(value, where, f, &slot.question);
    } else if (key == "invalid" || key == "invalid_message") {
      ReadString(value, where, f, &slot.invalid);
    } else if (key == "required") {
      slot.required = ReadBool(value, where, f).value_or(true);
    } else if (key == "pattern") {
      if (ReadString(value, where, f, &slot.pattern)) {
        RE2::Options opts;
        opts.set_log_errors(false);
        RE2 re(slot.pattern, opts);
        if (!re.ok()) Fail(where, f, "not a valid RE2 regex: " + re.error());
      }
    } else if (key == "choices") {
      slot.choices = ReadStrings(value, where, f);
    } else if (key == "min") {
      slot.min = ReadNumber(value, where, f);
    } else if (key == "max") {
      slot.max = ReadNumber(value, where, f);
    } else {
      Fail(where, f,
           "unknown slot field (name, entity, question, required, pattern, choices, "
           "min, max, invalid)");
    }
  }
  if (slot.name.empty() && !s.contains("name")) Fail(where, field + ".name", "missing");
  if (slot.required && slot.question.empty()) {
    Fail(where, field + ".question", "a required slot needs a question to ask for it");
  }
  return slot;
}

void Parser::ReadIntent(const Json& j, size_t index) {
  std::string where = "intents[" + std::to_string(index) + "]";
  IntentSpec in;
  if (!j.is_object()) return Fail(where, "", "expected an object with name and patterns");
  if (!j.contains("name")) return Fail(where, "name", "missing");
  if (!ReadString(j["name"], where, "name", &in.name)) return;
  where += " \"" + in.name + "\"";
  if (!intent_names_.insert(in.name).second) Fail(where, "name", "duplicate intent name");
  std::set<std::string> local;
  for (const auto& [key, value] : j.items()) {
    if (key == "name") continue;
    if (key == "patterns" || key == "examples" || key == "utterances" ||
        key == "training_phrases") {
      in.patterns = ReadStrings(value, where, key);
    } else if (key == "keywords") {
      in.keywords = ReadStrings(value, where, key);
    } else if (key == "response" || key == "response_template" || key == "responses") {
      for (auto& v : ReadResponses(value, where, key, local)) in.responses.push_back(std::move(v));
    } else if (key == "slots" || key == "form") {
      if (!value.is_array()) {
        Fail(where, key, "expected a list of slots");
        continue;
      }
      for (size_t i = 0; i < value.size(); ++i) {
        in.slots.push_back(ReadSlot(value[i], where, key + "[" + std::to_string(i) + "]"));
      }
    } else if (key == "action") {
      std::string a;
      if (!ReadString(value, where, key, &a)) continue;
      if (a == "handoff")
        in.action = IntentAction::kHandoff;
      else if (a == "cancel")
        in.action = IntentAction::kCancel;
      else
        Fail(where, key, "expected \"handoff\" or \"cancel\", got \"" + a + "\"");
    } else if (key == "handoff") {
      if (ReadBool(value, where, key).value_or(false)) in.action = IntentAction::kHandoff;
    } else if (key == "llm") {
      in.use_llm = ReadBool(value, where, key).value_or(false);
    } else if (key == "library") {
      ReadLibrary(value, where, &in);
    } else if (key != "description") {
      // A warning, not an error: flows written for other tools carry extra fields (ids, tags),
      // and a typo such as "pattern" still shows up in `parley config check`.
      Warn(where, key,
           "unknown field, ignored (name, patterns, keywords, response, response_template, "
           "responses, slots, action, llm, library, description)");
    }
  }
  const bool listed = j.contains("patterns") || j.contains("examples") ||
                      j.contains("utterances") || j.contains("training_phrases");
  if (in.patterns.empty()) {
    Fail(where, "patterns",
         listed ? "empty: an intent needs at least one pattern"
                : "missing: an intent needs at least one pattern");
  }
  if (in.responses.empty() && in.action == IntentAction::kNone && !in.use_llm) {
    Fail(where, "response", "missing: give response, response_template or responses");
  }
  flow_.intents.push_back(std::move(in));
}

}  // namespace

LoadedFlow ParseFlow(const Json& root, const std::string& name) { return Parser(name).Run(root); }

}  // namespace parley::dialog
