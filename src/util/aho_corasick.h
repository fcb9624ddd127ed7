// Aho–Corasick automaton over bytes: finds every occurrence of thousands of words in one pass,
// linear in the text (plus matches). Matching is ASCII case-insensitive; multi-byte UTF-8 words
// (Chinese) match byte for byte. Built once, then immutable and thread-safe; a streaming caller
// keeps its own State between chunks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace parley {

class AhoCorasick {
 public:
  struct Match {
    size_t begin = 0, end = 0;  // byte offsets
    uint32_t word = 0;          // index into the words given to Build
  };
  using State = uint32_t;  // 0 is the root

  AhoCorasick() { nodes_.emplace_back(); }
  // Words that are empty are ignored. Words made only of ASCII letters and digits match only
  // as whole words ("ass" does not match inside "class").
  void Build(const std::vector<std::string>& words);
  bool empty() const { return words_.empty(); }
  size_t word_count() const { return words_.size(); }
  const std::string& word(uint32_t i) const { return words_[i]; }

  // Every match, leftmost-longest and non-overlapping.
  std::vector<Match> FindAll(std::string_view text) const;
  // Calls f(Match) for every occurrence of every word, overlapping ones included, in order of
  // their end offsets.
  template <class F>
  void ForEachMatch(std::string_view text, F&& f) const {
    if (words_.empty()) return;
    State s = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      s = Step(s, static_cast<unsigned char>(text[i]));
      for (uint32_t n = nodes_[s].out >= 0 ? s : nodes_[s].dict; n != 0; n = nodes_[n].dict) {
        const auto w = static_cast<uint32_t>(nodes_[n].out);
        const size_t end = i + 1, begin = end - nodes_[n].depth;
        if (BoundaryOk(text, begin, end, w)) f(Match{begin, end, w});
      }
    }
  }
  // Runs from `state` over text; returns the state after it. Depth of a state = how many
  // trailing bytes of the text so far form a prefix of some word.
  State Step(State state, unsigned char byte) const;
  uint32_t Depth(State s) const { return nodes_[s].depth; }

 private:
  // Children live in two flat arrays (a node's edges are contiguous and sorted by byte), so
  // thousands of words cost a few bytes per trie edge instead of a vector per node.
  struct Node {
    uint32_t first_edge = 0;
    uint32_t fail = 0;
    int32_t out = -1;   // longest word ending here
    uint32_t dict = 0;  // nearest node on the fail chain with out >= 0 (0: none)
    uint16_t edges = 0;
    uint16_t depth = 0;  // words are capped at 65535 bytes
  };
  uint32_t Child(uint32_t node, unsigned char b) const;
  bool BoundaryOk(std::string_view text, size_t begin, size_t end, uint32_t word) const;

  std::vector<Node> nodes_;
  std::vector<unsigned char> edge_byte_;
  std::vector<uint32_t> edge_to_;
  std::vector<std::string> words_;
  std::vector<bool> whole_word_;
};

}  // namespace parley
