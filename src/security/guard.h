// Input and output guards. ContentGuard holds the configured rules (maximum length, sensitive
// words matched with Aho–Corasick, RE2 regex rules, prompt-injection heuristics) and checks one
// piece of text, returning the decision and the possibly rewritten text. StreamGuard applies
// the output rules (words, PII) to generated text arriving in chunks, holding back only the
// few trailing bytes that could still become a match. ContentGuard is immutable after Create()
// and thread-safe; a StreamGuard belongs to one stream (one thread at a time).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "security/injection.h"
#include "util/aho_corasick.h"
#include "util/result.h"

namespace re2 {
class RE2;
}

namespace parley::security {

enum class RuleAction { kBlock, kMask };
enum class InjectionAction { kOff, kFlag, kStrip, kBlock };

struct GuardOptions {
  size_t max_input_chars = 32000;  // code points per request's checked text; 0 = no limit
  std::vector<std::string> words;  // sensitive words (inline plus words_file)
  RuleAction words_action = RuleAction::kMask;
  std::vector<std::string> regex;  // RE2 syntax
  RuleAction regex_action = RuleAction::kBlock;
  InjectionAction injection = InjectionAction::kBlock;
  bool output_words = true;  // apply the word list to generated text
  bool output_pii = true;    // mask PII in generated text
  std::string blocked_reply = "Sorry, I can't help with that request.";
  std::string mask = "***";
};

enum class Verdict { kAllow, kModified, kFlagged, kBlock };
std::string_view VerdictName(Verdict v);

struct GuardResult {
  Verdict verdict = Verdict::kAllow;
  std::string text;                   // the text to use (rewritten when kModified)
  std::vector<std::string> findings;  // e.g. "word", "regex:0", "injection:role_override"
};

class ContentGuard {
 public:
  static Result<std::unique_ptr<ContentGuard>> Create(GuardOptions options);
  ~ContentGuard();

  GuardResult CheckInput(std::string_view text) const;
  // Words and regex rules on a complete piece of generated text (PII masked when configured).
  GuardResult CheckOutput(std::string_view text) const;
  const GuardOptions& options() const { return opt_; }
  const AhoCorasick& words() const { return words_; }

 private:
  explicit ContentGuard(GuardOptions o);
  void ApplyWords(std::string& text, GuardResult& r) const;
  void ApplyRegex(std::string& text, GuardResult& r) const;

  GuardOptions opt_;
  AhoCorasick words_;
  std::vector<std::unique_ptr<re2::RE2>> regex_;
  InjectionDetector injection_;
};

// Output filtering across chunk boundaries. Write() returns what may be sent now; Finish()
// returns the rest. After a block decision, blocked() is true, Write() returns "" and the
// producer should stop; the text already sent stays sent, the configured reply is returned once.
class StreamGuard {
 public:
  explicit StreamGuard(const ContentGuard* guard) : guard_(guard) {}
  std::string Write(std::string_view chunk);
  std::string Finish();
  bool blocked() const { return blocked_; }
  const std::vector<std::string>& findings() const { return findings_; }

 private:
  std::string Release(size_t upto);

  const ContentGuard* guard_;
  std::string pending_;
  bool blocked_ = false;
  std::vector<std::string> findings_;
};

}  // namespace parley::security
