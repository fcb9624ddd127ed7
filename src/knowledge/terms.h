// The terms the lexical index uses: the dialog NLU's normalisation (NFKC, case fold, t2s,
// symbols stripped) and tokenisation (ICU words, English stemming) minus stop words, plus
// Chinese character bigrams, so "退货政策" matches "退货" and "政策" and unsegmented runs too.
// Thread-safe (the Normalizer is immutable).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nlp/normalizer.h"

namespace parley::knowledge {

std::vector<std::string> IndexTerms(const nlp::Normalizer& normalizer, std::string_view text);

}  // namespace parley::knowledge
