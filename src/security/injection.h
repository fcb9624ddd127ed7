// Prompt-injection heuristics in Chinese and English: role-override phrases ("ignore all
// previous instructions", "忽略之前的所有指令"), forged role markers ("<|im_start|>system",
// "[INST]", a line starting "system:"), and attempts to extract the system prompt ("reveal
// your system prompt", "输出你的系统提示词"). Text is normalised first (ASCII case, full-width
// forms, zero-width characters, runs of whitespace) so trivial disguises do not slip through.
// Built once; Find() is const and thread-safe, linear in the text (RE2, one pass per kind).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/aho_corasick.h"

namespace re2 {
class RE2;
}

namespace parley::security {

struct InjectionHit {
  size_t begin = 0, end = 0;  // byte offsets in the original text
  std::string kind;           // "role_override", "role_marker", "prompt_extraction"
};

class InjectionDetector {
 public:
  InjectionDetector();
  ~InjectionDetector();
  std::vector<InjectionHit> Find(std::string_view text) const;

 private:
  struct Kind {
    std::unique_ptr<re2::RE2> re;  // every phrase family of the kind, leftmost-longest
    std::string kind;
  };
  std::vector<Kind> kinds_;
  std::unique_ptr<re2::RE2> line_marker_;
};

// Lower-cases ASCII, folds full-width ASCII to ASCII, drops zero-width characters and turns
// each run of whitespace into one space. offsets[i] is the original byte of output byte i
// (plus one entry for the end).
std::string NormalizeForMatch(std::string_view text, std::vector<uint32_t>* offsets);

}  // namespace parley::security
