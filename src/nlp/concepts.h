// A bilingual thesaurus of customer-service concepts (refund / 退款 / money back...): when a
// message and a pattern use different words, or different languages, for the same thing, they
// still share a concept feature. Generic to shops and services, not to one flow; the table is
// concepts.cc's own plus the concepts_*.inc files, one per group of domains. Pure functions over
// normalised text and its words; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parley::nlp {

// Ids of other businesses and topics (domains.inc) start with this: "@streaming".
inline constexpr char kDomainPrefix = '@';

// Concept ids ("refund", "ship"...) present in the text; `words` are its Words().
std::vector<std::string> Concepts(std::string_view normalized,
                                  const std::vector<std::string>& words);

// Every term of the table and of the domains as written, with its concept id (for tests of the
// table itself).
struct ConceptTerm {
  std::string_view id, term;
  bool chinese;  // matched as a substring of the normalised text; else as stemmed English words
};
std::vector<ConceptTerm> ConceptTerms();

// Phrases of the table's blocking list (a phrase in which one term means something else) whose
// term is no term of the table: mistakes, for a test to catch.
std::vector<std::string_view> UnusedBlockingPhrases();

}  // namespace parley::nlp
