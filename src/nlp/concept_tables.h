// The thesaurus and the other-domains list as data (src/nlp/concepts_*.inc, domains.inc), apart
// from the matching in concepts.cc: thousands of entries that hold no logic. Sanitizer builds
// compile this file uninstrumented (src/CMakeLists.txt); instrumented, it took ten minutes with
// GCC and over half an hour with clang's fuzzer flags.
#pragma once

#include <string_view>
#include <vector>

namespace parley::nlp {

struct Concept {
  const char* id;
  std::vector<std::string_view> zh;  // matched as substrings
  std::vector<std::string_view> en;  // matched as whole (stemmed) words or word sequences
};

// The thesaurus: entries with the same id are one concept.
const std::vector<Concept>& ConceptTable();
// Other businesses, services, institutions and topics; ids without the leading '@'.
const std::vector<Concept>& DomainTable();

}  // namespace parley::nlp
