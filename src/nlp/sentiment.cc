#include "nlp/sentiment.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace parley::nlp {
namespace {

struct Cue {
  std::string_view text;
  const char* emotion;  // nullptr: polarity only
  double polarity;
};

// Short lists on purpose: the common ways people say how they feel to a service or a companion.
constexpr Cue kCues[] = {
    {"开心", "joy", 1},
    {"高兴", "joy", 1},
    {"快乐", "joy", 1},
    {"太好了", "joy", 1},
    {"棒", "joy", 0.8},
    {"喜欢", "joy", 0.8},
    {"满意", "joy", 0.8},
    {"不错", nullptr, 0.6},
    {"好的", nullptr, 0.2},
    {"哈哈", "joy", 0.8},
    {"happy", "joy", 1},
    {"glad", "joy", 1},
    {"great", "joy", 0.8},
    {"love", "joy", 0.9},
    {"awesome", "joy", 1},
    {"good", nullptr, 0.5},
    {"excellent", "joy", 1},
    {"nice", nullptr, 0.6},
    {"😊", "joy", 1},
    {"😄", "joy", 1},
    {"😀", "joy", 1},
    {"❤", "joy", 0.8},
    {"👍", nullptr, 0.7},
    {"谢谢", "gratitude", 0.7},
    {"感谢", "gratitude", 0.8},
    {"多谢", "gratitude", 0.8},
    {"thank", "gratitude", 0.7},
    {"thx", "gratitude", 0.6},
    {"appreciate", "gratitude", 0.8},
    {"难过", "sadness", -1},
    {"伤心", "sadness", -1},
    {"悲伤", "sadness", -1},
    {"失望", "sadness", -0.8},
    {"哭", "sadness", -0.8},
    {"孤独", "sadness", -0.9},
    {"寂寞", "sadness", -0.9},
    {"郁闷", "sadness", -0.8},
    {"不开心", "sadness", -1},
    {"累", "sadness", -0.5},
    {"sad", "sadness", -1},
    {"unhappy", "sadness", -1},
    {"depressed", "sadness", -1},
    {"lonely", "sadness", -0.9},
    {"disappointed", "sadness", -0.8},
    {"upset", "sadness", -0.8},
    {"😢", "sadness", -1},
    {"😭", "sadness", -1},
    {"😞", "sadness", -1},
    {"生气", "anger", -1},
    {"愤怒", "anger", -1},
    {"气死", "anger", -1},
    {"烦", "anger", -0.7},
    {"垃圾", "anger", -1},
    {"差劲", "anger", -0.9},
    {"太差", "anger", -0.9},
    {"投诉", "anger", -0.6},
    {"坑", "anger", -0.6},
    {"骗子", "anger", -1},
    {"angry", "anger", -1},
    {"furious", "anger", -1},
    {"annoyed", "anger", -0.8},
    {"terrible", "anger", -0.9},
    {"awful", "anger", -0.9},
    {"worst", "anger", -1},
    {"ridiculous", "anger", -0.8},
    {"scam", "anger", -1},
    {"😡", "anger", -1},
    {"😠", "anger", -1},
    {"bad", nullptr, -0.6},
    {"差", nullptr, -0.5},
    {"担心", "fear", -0.7},
    {"害怕", "fear", -0.9},
    {"焦虑", "fear", -0.9},
    {"着急", "fear", -0.6},
    {"紧张", "fear", -0.7},
    {"worried", "fear", -0.8},
    {"afraid", "fear", -0.9},
    {"anxious", "fear", -0.9},
    {"scared", "fear", -0.9},
    {"nervous", "fear", -0.7},
};

constexpr std::string_view kNegators[] = {"不", "没", "别", "not ", "n't ", "never ", "no "};

bool IsAsciiWordChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// English cues must start at a word boundary ("sad" is not in "crusade"); Chinese ones need not.
bool AtWordStart(std::string_view s, size_t pos, std::string_view cue) {
  if (!IsAsciiWordChar(cue.front())) return true;
  return pos == 0 || !IsAsciiWordChar(s[pos - 1]);
}

bool Negated(std::string_view s, size_t pos, std::string_view cue) {
  if (cue.rfind("不", 0) == 0) return false;  // "不开心" is itself the negative form
  const size_t from = pos >= 10 ? pos - 10 : 0;
  std::string_view before = s.substr(from, pos - from);
  // A negator only reaches within its clause: "没到，气死了" is not "not angry".
  const size_t cut = before.find_last_of(",.!?;:\n");
  if (cut != std::string_view::npos) before = before.substr(cut + 1);
  for (auto neg : kNegators) {
    if (before.find(neg) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

Sentiment AnalyzeSentiment(std::string_view s) {
  double total = 0;
  int hits = 0;
  std::map<std::string, double> emotions;
  std::vector<std::pair<size_t, size_t>> taken;  // byte ranges already matched
  for (const Cue& cue : kCues) {
    for (size_t pos = s.find(cue.text); pos != std::string_view::npos;
         pos = s.find(cue.text, pos + 1)) {
      if (!AtWordStart(s, pos, cue.text)) continue;
      bool overlaps = false;
      for (auto [a, b] : taken) overlaps |= pos < b && pos + cue.text.size() > a;
      if (overlaps) continue;
      taken.emplace_back(pos, pos + cue.text.size());
      const double sign = Negated(s, pos, cue.text) ? -0.7 : 1.0;
      total += cue.polarity * sign;
      ++hits;
      if (cue.emotion && sign > 0) emotions[cue.emotion] += std::abs(cue.polarity);
      if (cue.emotion && sign < 0 && cue.polarity > 0) emotions["sadness"] += 0.5;
    }
  }
  Sentiment out;
  if (hits == 0) return out;
  out.score = std::max(-1.0, std::min(1.0, total / std::max(1, hits)));
  out.label = out.score > 0.15 ? "positive" : out.score < -0.15 ? "negative" : "neutral";
  double best = 0;
  for (const auto& [name, weight] : emotions) {
    if (weight > best) best = weight, out.emotion = name;
  }
  return out;
}

}  // namespace parley::nlp
