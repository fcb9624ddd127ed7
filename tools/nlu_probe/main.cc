// nlu_probe: prints, for each line of standard input, the normalised text, its words and the
// thesaurus concepts it carries. For whoever extends the concept thesaurus
// (src/nlp/concepts*.{cc,inc}) and wants to see what a sentence matches. A classifier may also
// join or split English compounds by its own patterns' words ("log in" / "login"); this tool,
// having no flow, shows the words as written.
//
//   echo "钱什么时候退给我" | build/tools/nlu_probe
#include <iostream>
#include <string>

#include "nlp/concepts.h"
#include "nlp/normalizer.h"
#include "nlp/tokenizer.h"

int main() {
  auto normalizer = parley::nlp::Normalizer::Create();
  if (!normalizer.ok()) {
    std::cerr << "nlu_probe: " << normalizer.error().message << "\n";
    return 1;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    const std::string norm = (*normalizer)->ForMatching(line);
    const auto words = parley::nlp::Words(norm);
    std::cout << line << "\n  normalised: " << norm << "\n  words:";
    for (const auto& w : words) std::cout << " " << w;
    std::cout << "\n  concepts:";
    for (const auto& c : parley::nlp::Concepts(norm, words)) std::cout << " " << c;
    std::cout << "\n";
  }
  return 0;
}
