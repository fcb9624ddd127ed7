#include "nlp/tokenizer.h"

#include <unicode/brkiter.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "nlp/concepts.h"

namespace parley::nlp {
namespace {

icu::BreakIterator* WordIterator() {
  thread_local std::unique_ptr<icu::BreakIterator> it = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> bi(
        icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    return U_FAILURE(status) ? nullptr : std::move(bi);
  }();
  return it.get();
}

bool IsHanCp(UChar32 c) {
  UErrorCode status = U_ZERO_ERROR;
  return uscript_getScript(c, &status) == USCRIPT_HAN;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsAsciiWord(std::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

std::vector<std::string> Compounds(std::vector<std::string> words,
                                   const std::unordered_set<std::string>& known) {
  std::vector<std::string> out;
  out.reserve(words.size() + 2);
  std::string joined;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (!IsAsciiWord(w)) {
      out.push_back(w);
      continue;
    }
    if (i + 1 < words.size() && IsAsciiWord(words[i + 1])) {
      joined = w + words[i + 1];
      if (known.count(joined)) {
        out.push_back(joined);
        ++i;
        continue;
      }
    }
    if (!known.count(w)) {
      bool split = false;
      for (size_t k = 3; k + 2 <= w.size() && !split; ++k) {  // "log|in", not "in|to"
        const std::string left = w.substr(0, k), right = w.substr(k);
        if (known.count(left) && known.count(right)) {
          out.push_back(left);
          out.push_back(right);
          split = true;
        }
      }
      if (split) continue;
    }
    out.push_back(w);
  }
  return out;
}

}  // namespace

bool HasHan(std::string_view s) {
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    if (c >= 0x2E80 && IsHanCp(c)) return true;
  }
  return false;
}

std::string Stem(std::string_view w) {
  std::string s(w);
  if (s.size() < 4 ||
      !std::all_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    return s;
  }
  auto strip = [&s](size_t n) { s.resize(s.size() - n); };
  if (EndsWith(s, "ies") && s.size() > 4) {
    strip(3);
    s += 'y';
  } else if (EndsWith(s, "sses")) {
    strip(2);
  } else if (EndsWith(s, "s") && !EndsWith(s, "ss") && !EndsWith(s, "us") && !EndsWith(s, "is")) {
    strip(1);
  }
  bool suffix = false;
  if (EndsWith(s, "ing") && s.size() > 5) {
    strip(3);
    suffix = true;
  } else if (EndsWith(s, "ed") && s.size() > 4) {
    strip(2);
    suffix = true;
  }
  // "cancell" -> "cancel", "shipp" -> "ship": undo the consonant doubled before the suffix.
  const bool vowel =
      s.back() == 'a' || s.back() == 'e' || s.back() == 'i' || s.back() == 'o' || s.back() == 'u';
  if (suffix && s.size() > 3 && s[s.size() - 1] == s[s.size() - 2] && !vowel && s.back() != 's') {
    strip(1);
  }
  if (EndsWith(s, "e") && s.size() > 4) strip(1);  // "received"/"receive" -> "receiv"
  return s;
}

// Chinese characters that carry grammar rather than meaning; as single-character features they
// weigh like stop words ("了" must not make "坏了" look like "算了").
bool IsStopChar(std::string_view c) {
  static const std::unordered_set<std::string_view> kStop = {
      "了", "的", "吗", "呢", "吧", "啊", "呀", "我", "你", "您", "是", "在", "有", "么",
      "这", "那", "个", "一", "也", "就", "都", "和", "与", "请", "要", "想", "能", "可",
      "以", "给", "把", "下", "怎", "什", "多", "少", "还", "们", "他", "她", "它", "好"};
  return kStop.count(c) > 0;
}

bool IsStopWord(std::string_view w) {
  static const std::unordered_set<std::string_view> kStop = {
      "a",    "an",    "the",  "i",     "me",   "my",     "you",   "your",  "we",     "our",
      "it",   "is",    "are",  "am",    "be",   "to",     "of",    "in",    "on",     "for",
      "and",  "or",    "do",   "doe",   "can",  "could",  "would", "pleas", "please", "want",
      "need", "like",  "just", "that",  "this", "with",   "at",    "some",  "any",    "how",
      "what", "there", "so",   "about", "hi",   "um",     "uh",    "我",    "你",     "您",
      "的",   "了",    "吗",   "呢",    "吧",   "啊",     "呀",    "是",    "在",     "有",
      "要",   "想",    "请",   "请问",  "一下", "我的",   "你们",  "我们",  "这个",   "那个",
      "嗯",   "哦",    "怎么", "可以",  "能",   "能不能", "帮",    "帮我",  "给",     "把"};
  return kStop.count(w) > 0;
}

namespace {

// The verb that words[i] negates: "hasn" "t" (the normaliser's split of "hasn't"), "hasnt" or
// "cannot" as one word. *pair: words[i + 1] is the "t".
const std::string_view* Negated(const std::vector<std::string>& words, size_t i, bool* pair) {
  // The word before "n't" and the verb it stands for ("won" -> "will"); "cannot" is "canno" "t".
  static const std::unordered_map<std::string_view, std::string_view> kNegatable = {
      {"isn", "is"},     {"aren", "are"},     {"wasn", "was"},       {"weren", "were"},
      {"hasn", "has"},   {"haven", "have"},   {"hadn", "had"},       {"don", "do"},
      {"doesn", "does"}, {"didn", "did"},     {"can", "can"},        {"couldn", "could"},
      {"won", "will"},   {"wouldn", "would"}, {"shouldn", "should"}, {"mustn", "must"},
      {"needn", "need"}, {"canno", "can"}};
  std::string_view w = words[i];
  *pair = i + 1 < words.size() && words[i + 1] == "t";
  if (!*pair) {
    if (w.size() < 3 || w.back() != 't') return nullptr;
    w.remove_suffix(1);
  }
  if (w.back() != 'n' && w.back() != 'o') return nullptr;  // every key ends so
  const auto it = kNegatable.find(w);
  return it == kNegatable.end() ? nullptr : &it->second;
}

}  // namespace

std::vector<std::string> ExpandNegations(std::vector<std::string> words) {
  bool pair = false;
  size_t i = 0;
  while (i < words.size() && !Negated(words, i, &pair)) ++i;
  if (i == words.size()) return words;  // most messages: nothing to rewrite
  std::vector<std::string> out(std::make_move_iterator(words.begin()),
                               std::make_move_iterator(words.begin() + i));
  for (; i < words.size(); ++i) {
    if (const std::string_view* verb = Negated(words, i, &pair)) {
      out.emplace_back(*verb);
      out.emplace_back("not");
      i += pair ? 1 : 0;
    } else {
      out.push_back(std::move(words[i]));
    }
  }
  return out;
}

namespace {

std::vector<std::string> StemAll(std::vector<std::string> words) {
  for (auto& w : words) {
    if (!HasHan(w)) w = Stem(w);
  }
  return words;
}

}  // namespace

std::vector<std::string> Words(std::string_view normalized) {
  std::vector<std::string> words;
  // Lower-case ASCII letters, digits and spaces (most English messages once normalised): ICU's
  // word boundaries there are the spaces, so the break iterator's setup and its conversion to
  // UTF-16 and back are skipped. A test holds the two paths to the same words.
  if (std::all_of(normalized.begin(), normalized.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ';
      })) {
    for (size_t start = 0; start < normalized.size();) {
      size_t end = normalized.find(' ', start);
      if (end == std::string_view::npos) end = normalized.size();
      if (end > start) words.emplace_back(normalized.substr(start, end - start));
      start = end + 1;
    }
    return StemAll(ExpandNegations(std::move(words)));
  }
  return WordsByIcu(normalized);
}

std::vector<std::string> WordsByIcu(std::string_view normalized) {
  std::vector<std::string> words;
  icu::BreakIterator* it = WordIterator();
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(normalized.data(), static_cast<int32_t>(normalized.size())));
  if (!it) return words;
  it->setText(u);
  int32_t start = it->first();
  for (int32_t end = it->next(); end != icu::BreakIterator::DONE; start = end, end = it->next()) {
    if (it->getRuleStatus() == UBRK_WORD_NONE) continue;  // spaces and punctuation
    std::string w;
    u.tempSubStringBetween(start, end).toUTF8String(w);
    words.push_back(std::move(w));
  }
  return StemAll(ExpandNegations(std::move(words)));
}

void Features(std::string_view normalized, const std::unordered_set<std::string>* known,
              std::vector<Feature>* out) {
  out->clear();
  out->reserve(3 * normalized.size() / 2 + 8);  // roughly two features per Han character
  std::vector<std::string> words = Words(normalized);
  if (known && !known->empty()) words = Compounds(std::move(words), *known);
  // Consecutive Han characters across word boundaries, as views into `words`.
  thread_local std::vector<std::string_view> han_run;
  han_run.clear();
  auto add = [out](std::string_view prefix, std::string_view a, std::string_view b,
                   FeatureKind kind) {
    std::string key;
    key.reserve(prefix.size() + a.size() + b.size());
    key.append(prefix).append(a).append(b);
    out->push_back({std::move(key), kind});
  };
  auto flush_run = [&] {
    for (size_t i = 0; i < han_run.size(); ++i) {
      add("c:", han_run[i], {},
          IsStopChar(han_run[i]) ? FeatureKind::kStopWord : FeatureKind::kHanChar);
      if (i + 1 < han_run.size()) add("b:", han_run[i], han_run[i + 1], FeatureKind::kHanBigram);
    }
    han_run.clear();
  };
  for (const auto& w : words) {
    const bool stop = IsStopWord(w);
    add("w:", w, {}, stop ? FeatureKind::kStopWord : FeatureKind::kWord);
    if (HasHan(w)) {
      for (int32_t i = 0, n = static_cast<int32_t>(w.size()); i < n;) {
        const int32_t start = i;
        UChar32 c;
        U8_NEXT(w.data(), i, n, c);
        han_run.push_back(std::string_view(w).substr(start, i - start));
      }
      continue;
    }
    flush_run();
    if (stop || w.size() < 4) continue;
    const std::string padded = "#" + w + "#";
    for (size_t i = 0; i + 3 <= padded.size(); ++i) {
      add("t:", std::string_view(padded).substr(i, 3), {}, FeatureKind::kTrigram);
    }
  }
  flush_run();
  for (auto& c : Concepts(normalized, words)) {
    const bool domain = c[0] == kDomainPrefix;
    add("k:", c, {}, domain ? FeatureKind::kDomain : FeatureKind::kConcept);
  }
}

std::vector<Feature> Features(std::string_view normalized,
                              const std::unordered_set<std::string>* known) {
  std::vector<Feature> out;
  Features(normalized, known, &out);
  return out;
}

}  // namespace parley::nlp
