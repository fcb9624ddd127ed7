#include "dialog/policy.h"

#include <re2/re2.h>

#include <set>

#include "nlp/tokenizer.h"
#include "util/text.h"

namespace parley::dialog {
namespace {

constexpr int kMaxReasks = 3;
// Free-text slots take any message, so switching topic needs stronger evidence there.
constexpr double kTopicChangeConfidence = 0.8;

const std::set<std::string> kCancelWords = {"取消",      "算了",   "不要了",     "不用了",
                                            "退出",      "cancel", "never mind", "nevermind",
                                            "forget it", "stop",   "quit"};

std::string Pick(const std::vector<ResponseVariant>& v, const Vars& vars, uint64_t seed,
                 std::string_view message, const char* zh, const char* en) {
  if (const ResponseVariant* r = Choose(v, vars, seed)) return Render(r->text, vars);
  return nlp::HasHan(message) || message.empty() ? zh : en;
}

std::string Answer(const IntentSpec& intent, const Vars& vars, uint64_t seed,
                   std::string_view message) {
  return Pick(intent.responses, vars, seed, message, "好的。", "OK.");
}

bool IsCancel(const Flow& flow, const NluResult& nlu) {
  if (nlu.intent.in_scope) {
    const IntentSpec* top = flow.Find(nlu.intent.top.name);
    if (top && top->action == IntentAction::kCancel) return true;
  }
  return kCancelWords.count(nlu.normalized) > 0;
}

bool Validate(const SlotSpec& slot, const std::string& value) {
  if (!slot.pattern.empty()) {
    RE2::Options opts;
    opts.set_log_errors(false);
    const RE2 re(slot.pattern, opts);  // compiled at load too; cheap for slot-sized patterns
    if (!RE2::FullMatch(value, re)) return false;
  }
  if (!slot.choices.empty()) {
    bool any = false;
    for (const auto& c : slot.choices) any |= text::EqualsIgnoreCase(c, value);
    if (!any) return false;
  }
  if (slot.min || slot.max) {
    const auto d = text::ParseDouble(value.substr(0, value.find(' ')));
    if (!d || (slot.min && *d < *slot.min) || (slot.max && *d > *slot.max)) return false;
  }
  return true;
}

// The value this message offers for a slot: an entity of its type, else (for free-text slots)
// the message itself; "" when it offers none.
std::string Offered(const SlotSpec& slot, const NluResult& nlu, std::string_view message) {
  if (!slot.entity.empty()) {
    for (const auto& e : nlu.entities) {
      if (e.type == slot.entity) return e.value;
    }
    return {};
  }
  return std::string(text::Trim(message));
}

const SlotSpec* NextMissing(const IntentSpec& intent, const SessionState& s) {
  for (const auto& slot : intent.slots) {
    if (slot.required && !s.slots.count(slot.name)) return &slot;
  }
  return nullptr;
}

Decision Complete(const IntentSpec& intent, SessionState* s, Vars& vars, uint64_t seed,
                  std::string_view message) {
  for (const auto& [k, v] : s->slots) vars[k] = v;
  Decision d;
  d.source = Source::kForm;
  d.reply = Answer(intent, vars, seed, message);
  d.intent = intent.name;
  d.ask_llm = intent.use_llm;
  s->form.clear();
  s->pending_slot.clear();
  s->reasks = 0;
  return d;
}

Decision Ask(const IntentSpec& intent, const SlotSpec& slot, SessionState* s,
             const std::string& prefix, const Vars& vars) {
  s->form = intent.name;
  s->pending_slot = slot.name;
  Decision d;
  d.source = Source::kForm;
  d.intent = intent.name;
  d.reply = (prefix.empty() ? "" : prefix + "\n") + Render(slot.question, vars);
  return d;
}

// Starts (or restarts) the intent's form, taking any slot values this message already has.
Decision StartForm(const IntentSpec& intent, const NluResult& nlu, SessionState* s, Vars& vars,
                   uint64_t seed, std::string_view message) {
  for (const auto& slot : intent.slots) s->slots.erase(slot.name);
  for (const auto& slot : intent.slots) {
    if (slot.entity.empty()) continue;
    const std::string v = Offered(slot, nlu, message);
    if (!v.empty() && Validate(slot, v)) s->slots[slot.name] = v;
  }
  s->reasks = 0;
  for (const auto& [k, v] : s->slots) vars[k] = v;
  if (const SlotSpec* missing = NextMissing(intent, *s)) return Ask(intent, *missing, s, "", vars);
  return Complete(intent, s, vars, seed, message);
}

Decision Handoff(const Flow& flow, SessionState* s, const Vars& vars, uint64_t seed,
                 std::string_view message, const std::string& intent) {
  s->handoff = true;
  s->form.clear();
  s->pending_slot.clear();
  Decision d;
  d.source = Source::kRule;
  d.intent = intent;
  d.handoff_started = true;
  d.reply = Pick(flow.handoff_reply, vars, seed, message, "正在为您转接人工客服，请稍候。",
                 "Connecting you to a human agent, please wait.");
  return d;
}

Decision Cancel(const Flow& flow, SessionState* s, const Vars& vars, uint64_t seed,
                std::string_view message) {
  Decision d;
  d.source = Source::kRule;
  d.intent = s->form;
  s->form.clear();
  s->pending_slot.clear();
  s->reasks = 0;
  d.reply = Pick(flow.cancel_reply, vars, seed, message, "好的，已取消。", "OK, cancelled.");
  return d;
}

Decision Route(const Flow& flow, const NluResult& nlu, std::string_view message, SessionState* s,
               Vars& vars, uint64_t seed);

Decision ContinueForm(const Flow& flow, const NluResult& nlu, std::string_view message,
                      SessionState* s, Vars& vars, uint64_t seed) {
  const IntentSpec* intent = flow.Find(s->form);
  const SlotSpec* slot = nullptr;
  if (intent) {
    for (const auto& sl : intent->slots) {
      if (sl.name == s->pending_slot) slot = &sl;
    }
  }
  if (!intent || !slot) {  // the flow changed under a saved session: drop the form
    s->form.clear();
    return Route(flow, nlu, message, s, vars, seed);
  }
  if (IsCancel(flow, nlu)) {
    Decision d = Cancel(flow, s, vars, seed, message);
    if (nlu.intent.in_scope)
      d.intent = nlu.intent.top.name, d.confidence = nlu.intent.top.confidence;
    return d;
  }
  const Classification& c = nlu.intent;
  const bool other_intent =
      c.in_scope && c.top.name != intent->name &&
      (!slot->entity.empty() || c.exact || c.top.confidence >= kTopicChangeConfidence);
  const std::string offered = Offered(*slot, nlu, message);
  if (!offered.empty() && (slot->entity.size() || !other_intent) && Validate(*slot, offered)) {
    s->slots[slot->name] = offered;
    // Other slots may be in the same message ("order 123, delivered on 11月3日").
    for (const auto& sl : intent->slots) {
      if (s->slots.count(sl.name) || sl.entity.empty()) continue;
      const std::string v = Offered(sl, nlu, message);
      if (!v.empty() && Validate(sl, v)) s->slots[sl.name] = v;
    }
    s->reasks = 0;
    for (const auto& [k, v] : s->slots) vars[k] = v;
    if (const SlotSpec* next = NextMissing(*intent, *s)) return Ask(*intent, *next, s, "", vars);
    return Complete(*intent, s, vars, seed, message);
  }
  if (other_intent) {
    const IntentSpec* other = flow.Find(c.top.name);
    if (other->action != IntentAction::kNone || !other->slots.empty()) {
      return Route(flow, nlu, message, s, vars, seed);  // handoff or another form replaces this one
    }
    // Answer the side question, then come back to the form.
    Decision d;
    d.source = Source::kRule;
    d.intent = other->name;
    d.confidence = c.top.confidence;
    d.reply = Answer(*other, vars, seed, message) + "\n" + Render(slot->question, vars);
    return d;
  }
  if (++s->reasks > kMaxReasks) return Cancel(flow, s, vars, seed, message);
  return Ask(*intent, *slot, s, offered.empty() ? "" : slot->invalid, vars);
}

Decision Route(const Flow& flow, const NluResult& nlu, std::string_view message, SessionState* s,
               Vars& vars, uint64_t seed) {
  const Classification& c = nlu.intent;
  Decision d;
  if (!c.in_scope) {
    d.ask_knowledge = true;
    d.source = Source::kFallback;
    d.confidence = c.top.confidence;  // of the best candidate, below the bar
    d.reply = FallbackReply(flow, message, vars, seed);
    return d;
  }
  const IntentSpec* intent = flow.Find(c.top.name);
  vars["intent"] = intent->name;
  if (intent->action == IntentAction::kHandoff) {
    d = Handoff(flow, s, vars, seed, message, intent->name);
  } else if (intent->action == IntentAction::kCancel) {
    d = Cancel(flow, s, vars, seed, message);
    d.intent = intent->name;
  } else if (!intent->slots.empty()) {
    d = StartForm(*intent, nlu, s, vars, seed, message);
  } else {
    d.source = Source::kRule;
    d.intent = intent->name;
    d.reply = Answer(*intent, vars, seed, message);
    d.ask_llm = intent->use_llm;
  }
  d.confidence = c.top.confidence;
  s->active_intent = intent->name;
  return d;
}

}  // namespace

const char* SourceName(Source s) {
  switch (s) {
    case Source::kRule:
      return "rule";
    case Source::kForm:
      return "form";
    case Source::kKnowledge:
      return "knowledge";
    case Source::kLlm:
      return "llm";
    case Source::kFallback:
      return "fallback";
  }
  return "fallback";
}

std::string FallbackReply(const Flow& flow, std::string_view message, const Vars& vars,
                          uint64_t seed) {
  return Pick(flow.fallback, vars, seed, message, "抱歉，我没有理解您的意思，可以换个说法吗？",
              "Sorry, I didn't understand that. Could you rephrase it?");
}

Decision Decide(const Flow& flow, const NluResult& nlu, std::string_view message,
                SessionState* state, Vars& vars, uint64_t seed) {
  for (const auto& [k, v] : state->slots) vars.emplace(k, v);
  if (!state->form.empty()) {
    Decision d = ContinueForm(flow, nlu, message, state, vars, seed);
    // A form turn belongs to the form by state, not by classification.
    if (d.source == Source::kForm) d.confidence = 1.0;
    return d;
  }
  return Route(flow, nlu, message, state, vars, seed);
}

}  // namespace parley::dialog
