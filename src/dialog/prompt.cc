// The LLM prompt of a dialog turn (declared in assistant.h).
#include "dialog/assistant.h"

namespace parley::dialog {
namespace {

// Rough token count without a tokenizer: about one token per CJK character or 4 bytes of
// other text. Only used to keep the history inside a budget.
int EstimateTokens(std::string_view s) {
  int cjk = 0, other = 0;
  for (unsigned char c : s) {
    if (c >= 0xE0)
      ++cjk;  // lead byte of a 3/4-byte sequence
    else if (c < 0x80)
      ++other;
  }
  return cjk + other / 4 + 1;
}

}  // namespace

std::vector<engine::ChatMessage> BuildLlmMessages(const Persona& persona, const SessionState& s,
                                                  const Vars& vars, std::string_view message,
                                                  int token_budget) {
  std::string system = persona.system_prompt;
  if (!persona.name.empty()) system += "\nYour name is " + persona.name + ".";
  if (!persona.style.empty()) system += "\nStyle: " + persona.style + ".";
  if (!persona.language.empty()) {
    system += "\nAnswer in " +
              std::string(persona.language == "zh"   ? "Chinese"
                          : persona.language == "en" ? "English"
                                                     : persona.language) +
              ".";
  }
  if (auto it = vars.find("emotion"); it != vars.end() && it->second != "neutral") {
    system += "\nThe user seems to feel " + it->second + "; acknowledge it with care.";
  }
  if (!s.slots.empty()) {
    system += "\nKnown details of this conversation:";
    for (const auto& [k, v] : s.slots) system += " " + k + "=" + v + ";";
  }
  std::vector<engine::ChatMessage> out{{"system", system}};
  int budget = token_budget;
  size_t first = s.recent.size();
  while (first > 0) {
    const int cost = EstimateTokens(s.recent[first - 1].content);
    if (cost > budget) break;
    budget -= cost;
    --first;
  }
  out.insert(out.end(), s.recent.begin() + static_cast<long>(first), s.recent.end());
  out.push_back({"user", std::string(message)});
  return out;
}

}  // namespace parley::dialog
