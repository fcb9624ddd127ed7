// Knowledge-base benchmark: generates a Chinese/English corpus of about N chunks (Zipf-like
// vocabulary, Markdown with headings and paragraphs), ingests it into an on-disk knowledge base
// and reports ingest throughput (MB/min) and query latency (p50/p99, k = 5), lexical and hybrid.
// Hybrid uses deterministic hashed vectors of the bench's dimension in place of a model's
// embeddings, so it times the HNSW search and fusion, not an embedding model.
//
// Usage: kb_bench CHUNKS DIR [QUERIES] [DIM]   prints "key value" lines for bench/kb_bench.sh
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "knowledge/knowledge_base.h"

namespace {

using parley::knowledge::Embedder;
using parley::knowledge::KbOptions;
using parley::knowledge::KnowledgeBase;
using Clock = std::chrono::steady_clock;

class HashedEmbedder : public Embedder {
 public:
  explicit HashedEmbedder(int dim) : dim_(dim) {}
  std::string model() const override { return "hashed-" + std::to_string(dim_); }
  parley::Result<std::vector<float>> Embed(std::string_view text) override {
    std::vector<float> v(dim_, 0.0f);
    size_t start = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
      if (i == text.size() || text[i] == ' ') {
        if (i > start) v[std::hash<std::string_view>{}(text.substr(start, i - start)) % dim_] += 1;
        start = i + 1;
      }
    }
    return v;
  }

 private:
  int dim_;
};

struct Vocabulary {
  std::vector<std::string> en, zh;
  explicit Vocabulary(std::mt19937& rng) {
    const char* syll[] = {"ka",  "lo",  "mi", "ter", "son", "vel", "dra", "pin", "qu",  "ret",
                          "sha", "tor", "ul", "ven", "wix", "zen", "bar", "cor", "del", "fin"};
    const char* han[] = {"退", "货", "款", "运", "费", "配", "送", "订", "单", "发", "票", "会",
                         "员", "积", "分", "保", "修", "电", "池", "滤", "网", "门", "锁", "音",
                         "箱", "支", "付", "优", "惠", "券", "客", "服", "地", "址", "取", "消"};
    std::uniform_int_distribution<int> s(0, 19), h(0, 35), len(2, 3);
    for (int i = 0; i < 6000; ++i) {
      std::string w;
      for (int j = len(rng); j > 0; --j) w += syll[s(rng)];
      en.push_back(w);
    }
    for (int i = 0; i < 3000; ++i) zh.push_back(std::string(han[h(rng)]) + han[h(rng)]);
  }
  // Zipf-like: rank r drawn with probability ~ 1/r.
  const std::string& Pick(std::mt19937& rng, bool chinese) const {
    const auto& v = chinese ? zh : en;
    std::uniform_real_distribution<double> u(0, std::log(static_cast<double>(v.size())));
    return v[static_cast<size_t>(std::exp(u(rng))) - 1];
  }
};

std::string Sentence(const Vocabulary& voc, std::mt19937& rng, bool zh) {
  std::uniform_int_distribution<int> n(6, 14);
  std::string s;
  for (int i = n(rng); i > 0; --i) {
    if (!zh && !s.empty()) s += ' ';
    s += voc.Pick(rng, zh);
  }
  return s + (zh ? "。" : ". ");
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

void Run(const char* mode, size_t chunks, const std::string& dir, size_t queries,
         Embedder* embedder) {
  std::filesystem::remove_all(dir);
  KbOptions o;
  o.dir = dir;
  o.embedder = embedder;
  o.max_document_bytes = 64 << 20;
  o.chunking.max_tokens = 96;
  o.chunking.overlap_tokens = 0;
  auto kb = KnowledgeBase::Open(o);
  if (!kb.ok()) {
    std::fprintf(stderr, "kb_bench: %s\n", kb.error().message.c_str());
    std::exit(1);
  }
  std::mt19937 rng(42);
  const Vocabulary voc(rng);
  size_t bytes = 0, docs = 0;
  double ingest_s = 0;
  while ((*kb)->chunk_count() < chunks) {
    const bool zh = docs % 2 == 0;
    std::string md = "# " + voc.Pick(rng, zh) + " " + std::to_string(docs) + "\n";
    for (int sec = 0; sec < 50; ++sec) {
      md += "## " + voc.Pick(rng, zh) + " " + voc.Pick(rng, zh) + "\n";
      for (int s = 0; s < 4; ++s) md += Sentence(voc, rng, zh);
      md += "\n\n";
    }
    bytes += md.size();
    const auto t0 = Clock::now();
    auto r = (*kb)->Add({"doc" + std::to_string(docs++) + ".md", md});
    ingest_s += std::chrono::duration<double>(Clock::now() - t0).count();
    if (!r.ok()) {
      std::fprintf(stderr, "kb_bench: %s\n", r.error().message.c_str());
      std::exit(1);
    }
  }
  std::vector<double> ms;
  for (size_t q = 0; q < queries; ++q) {
    const bool zh = q % 2 == 0;
    std::string query;
    for (int w = 0; w < 3; ++w) query += (w && !zh ? " " : "") + voc.Pick(rng, zh);
    const auto t0 = Clock::now();
    auto hits = (*kb)->Search(query, 5);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!hits.ok()) std::exit(1);
  }
  std::printf("%s_chunks %zu\n%s_docs %zu\n%s_mb %.2f\n%s_ingest_s %.2f\n%s_mb_per_min %.2f\n",
              mode, (*kb)->chunk_count(), mode, docs, mode, bytes / 1e6, mode, ingest_s, mode,
              bytes / 1e6 / (ingest_s / 60));
  std::printf("%s_p50_ms %.3f\n%s_p99_ms %.3f\n", mode, Percentile(ms, 0.5), mode,
              Percentile(ms, 0.99));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: kb_bench CHUNKS DIR [QUERIES] [DIM]\n");
    return 2;
  }
  const size_t chunks = std::stoul(argv[1]);
  const std::string dir = argv[2];
  const size_t queries = argc > 3 ? std::stoul(argv[3]) : 2000;
  const int dim = argc > 4 ? std::stoi(argv[4]) : 384;
  Run("lexical", chunks, dir + "/lexical", queries, nullptr);
  HashedEmbedder embedder(dim);
  Run("hybrid", chunks, dir + "/hybrid", queries, &embedder);
  return 0;
}
