#include "security/aho_corasick.h"

#include <algorithm>
#include <deque>

namespace parley::security {
namespace {

unsigned char Fold(unsigned char b) { return (b >= 'A' && b <= 'Z') ? b + 32 : b; }
bool IsWordByte(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

}  // namespace

uint32_t AhoCorasick::Child(uint32_t node, unsigned char b) const {
  const auto& nx = nodes_[node].next;
  const auto it = std::lower_bound(nx.begin(), nx.end(), std::make_pair(b, uint32_t{0}));
  return (it != nx.end() && it->first == b) ? it->second : 0;
}

void AhoCorasick::Build(const std::vector<std::string>& words) {
  nodes_.assign(1, Node{});
  words_.clear();
  whole_word_.clear();
  for (const auto& w : words) {
    if (w.empty()) continue;
    uint32_t cur = 0;
    for (unsigned char raw : w) {
      const unsigned char b = Fold(raw);
      uint32_t nx = Child(cur, b);
      if (nx == 0) {
        nx = static_cast<uint32_t>(nodes_.size());
        Node n;
        n.depth = nodes_[cur].depth + 1;
        nodes_.push_back(std::move(n));
        auto& edges = nodes_[cur].next;
        edges.insert(std::lower_bound(edges.begin(), edges.end(), std::make_pair(b, uint32_t{0})),
                     {b, nx});
      }
      cur = nx;
    }
    if (nodes_[cur].out < 0) {
      nodes_[cur].out = static_cast<int32_t>(words_.size());
      words_.push_back(w);
      whole_word_.push_back(std::all_of(w.begin(), w.end(), IsWordByte));
    }
  }
  // Breadth-first: fail links and dictionary links.
  std::deque<uint32_t> queue;
  for (const auto& [b, child] : nodes_[0].next) queue.push_back(child);
  while (!queue.empty()) {
    const uint32_t u = queue.front();
    queue.pop_front();
    for (const auto& [b, v] : nodes_[u].next) {
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
  if (words_.empty()) return all;
  State s = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    s = Step(s, static_cast<unsigned char>(text[i]));
    for (uint32_t n = nodes_[s].out >= 0 ? s : nodes_[s].dict; n != 0; n = nodes_[n].dict) {
      const uint32_t w = static_cast<uint32_t>(nodes_[n].out);
      const size_t end = i + 1, begin = end - nodes_[n].depth;
      if (BoundaryOk(text, begin, end, w)) all.push_back({begin, end, w});
    }
  }
  std::sort(all.begin(), all.end(), [](const Match& a, const Match& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<Match> out;
  for (const auto& m : all) {
    if (out.empty() || m.begin >= out.back().end) out.push_back(m);
  }
  return out;
}

}  // namespace parley::security
