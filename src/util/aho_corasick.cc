#include "util/aho_corasick.h"

#include <algorithm>
#include <deque>

namespace parley {
namespace {

unsigned char Fold(unsigned char b) { return (b >= 'A' && b <= 'Z') ? b + 32 : b; }
bool IsWordByte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

}  // namespace

uint32_t AhoCorasick::Child(uint32_t node, unsigned char b) const {
  const Node& n = nodes_[node];
  const auto first = edge_byte_.begin() + n.first_edge, last = first + n.edges;
  const auto it = std::lower_bound(first, last, b);
  return (it != last && *it == b) ? edge_to_[static_cast<size_t>(it - edge_byte_.begin())] : 0;
}

void AhoCorasick::Build(const std::vector<std::string>& words) {
  // The trie is grown with a vector of edges per node, then flattened.
  std::vector<std::vector<std::pair<unsigned char, uint32_t>>> next(1);
  std::vector<Node> nodes(1);
  words_.clear();
  whole_word_.clear();
  for (const auto& w : words) {
    if (w.empty() || w.size() > 65535) continue;
    uint32_t cur = 0;
    for (unsigned char raw : w) {
      const unsigned char b = Fold(raw);
      auto& edges = next[cur];
      auto it = std::lower_bound(edges.begin(), edges.end(), std::make_pair(b, uint32_t{0}));
      if (it != edges.end() && it->first == b) {
        cur = it->second;
        continue;
      }
      const auto child = static_cast<uint32_t>(nodes.size());
      edges.insert(it, {b, child});
      Node n;
      n.depth = static_cast<uint16_t>(nodes[cur].depth + 1);
      nodes.push_back(n);
      next.emplace_back();
      cur = child;
    }
    if (nodes[cur].out < 0) {
      nodes[cur].out = static_cast<int32_t>(words_.size());
      words_.push_back(w);
      whole_word_.push_back(std::all_of(w.begin(), w.end(), IsWordByte));
    }
  }
  edge_byte_.clear();
  edge_to_.clear();
  for (size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].first_edge = static_cast<uint32_t>(edge_byte_.size());
    nodes[i].edges = static_cast<uint16_t>(next[i].size());
    for (const auto& [b, child] : next[i]) {
      edge_byte_.push_back(b);
      edge_to_.push_back(child);
    }
    std::vector<std::pair<unsigned char, uint32_t>>().swap(next[i]);
  }
  nodes_ = std::move(nodes);
  nodes_.shrink_to_fit();
  edge_byte_.shrink_to_fit();
  edge_to_.shrink_to_fit();
  // Breadth-first: fail links and dictionary links.
  std::deque<uint32_t> queue;
  const auto children = [this](uint32_t u) {
    return std::make_pair(nodes_[u].first_edge, nodes_[u].first_edge + nodes_[u].edges);
  };
  for (auto [e, end] = children(0); e < end; ++e) queue.push_back(edge_to_[e]);
  while (!queue.empty()) {
    const uint32_t u = queue.front();
    queue.pop_front();
    for (auto [e, end] = children(u); e < end; ++e) {
      const unsigned char b = edge_byte_[e];
      const uint32_t v = edge_to_[e];
      uint32_t f = nodes_[u].fail;
      while (f != 0 && Child(f, b) == 0) f = nodes_[f].fail;
      const uint32_t fc = Child(f, b);
      nodes_[v].fail = (fc != v) ? fc : 0;
      const uint32_t fl = nodes_[v].fail;
      nodes_[v].dict = nodes_[fl].out >= 0 ? fl : nodes_[fl].dict;
      queue.push_back(v);
    }
  }
}

AhoCorasick::State AhoCorasick::Step(State s, unsigned char raw) const {
  const unsigned char b = Fold(raw);
  while (true) {
    if (const uint32_t nx = Child(s, b)) return nx;
    if (s == 0) return 0;
    s = nodes_[s].fail;
  }
}

bool AhoCorasick::BoundaryOk(std::string_view t, size_t begin, size_t end, uint32_t w) const {
  if (!whole_word_[w]) return true;
  return (begin == 0 || !IsWordByte(t[begin - 1])) && (end >= t.size() || !IsWordByte(t[end]));
}

std::vector<AhoCorasick::Match> AhoCorasick::FindAll(std::string_view text) const {
  std::vector<Match> all;
  ForEachMatch(text, [&all](const Match& m) { all.push_back(m); });
  std::sort(all.begin(), all.end(), [](const Match& a, const Match& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<Match> out;
  for (const auto& m : all) {
    if (out.empty() || m.begin >= out.back().end) out.push_back(m);
  }
  return out;
}

}  // namespace parley
