#include "knowledge/terms.h"

#include "nlp/tokenizer.h"

namespace parley::knowledge {

std::vector<std::string> IndexTerms(const nlp::Normalizer& normalizer, std::string_view text) {
  std::vector<std::string> out;
  for (auto& f : nlp::Features(normalizer.ForMatching(text))) {
    if (f.kind == nlp::FeatureKind::kWord || f.kind == nlp::FeatureKind::kHanBigram) {
      out.push_back(std::move(f.key));
    }
  }
  return out;
}

}  // namespace parley::knowledge
