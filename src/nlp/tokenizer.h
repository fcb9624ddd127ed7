// Tokenisation for matching Chinese and English: ICU's word break iterator (which segments
// Chinese with its dictionary) for words, a light English stemmer, and the features the intent
// classifier compares: words plus Chinese character unigrams/bigrams and English character
// trigrams, so word order, paraphrase and typos still share features. Stateless functions;
// each thread keeps its own ICU iterator, so calls are thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace parley::nlp {

// Words of already normalised text (see Normalizer::ForMatching), English ones stemmed.
std::vector<std::string> Words(std::string_view normalized);
// Words() without its shortcut for plain ASCII text: ICU's word boundaries always. For tests.
std::vector<std::string> WordsByIcu(std::string_view normalized);

// "orders" -> "order", "cancelled" -> "cancel", "returning" -> "return"; ASCII only.
std::string Stem(std::string_view word);

// English negations in one form, on unstemmed lower-case words: "hasn't" (which the normaliser
// splits into "hasn" "t"), "hasnt" and "has not" all become "has" "not"; "cannot" and "can't"
// become "can" "not", "won't" "will" "not". Words() and the thesaurus's terms both go through it.
std::vector<std::string> ExpandNegations(std::vector<std::string> words);

bool IsStopWord(std::string_view word);
bool IsStopChar(std::string_view han_char);
bool HasHan(std::string_view s);

// kConcept: a meaning of the thesaurus (nlp/concepts.h); kDomain: another business or topic
// (nlp/domains.inc), whose id starts with kDomainPrefix.
enum class FeatureKind { kWord, kStopWord, kHanChar, kHanBigram, kTrigram, kConcept, kDomain };
struct Feature {
  std::string key;  // prefixed by kind, so "w:order" never collides with "t:ord"
  FeatureKind kind;
};
// `known` (optional): the English words a classifier was trained on. English writes compounds
// both ways ("check out" / "checkout", "log in" / "login"): two words that make a known word
// count as that word, and an unknown word made of two known ones as those two.
std::vector<Feature> Features(std::string_view normalized,
                              const std::unordered_set<std::string>* known = nullptr);
// The same into `out` (cleared first), so that a caller reusing one vector per thread saves the
// allocation of a few kilobytes on every message.
void Features(std::string_view normalized, const std::unordered_set<std::string>* known,
              std::vector<Feature>* out);

}  // namespace parley::nlp
