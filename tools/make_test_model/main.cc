// make_test_model: writes a llama-architecture GGUF with seeded random weights and the real
// Qwen2 tokenizer (vocabulary, merges, special tokens, chat template) copied from llama.cpp's
// models/ggml-vocab-qwen2.gguf. Its text is nonsense, but the real loader, tokenizer, chat
// template, batching and sampling all run on it: a tiny one for tests, a ~0.6B-parameter one
// with Qwen2-like shapes for benchmarks, optionally quantised (Q8_0, Q4_K).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "ggml-backend.h"
#include "gguf.h"
#include "llama.h"

namespace {

struct Shape {
  uint32_t layers = 2, embd = 64, ff = 128, heads = 4, kv_heads = 2, context = 4096;
};

struct InitParams {
  uint64_t seed;
  float scale;
};

uint64_t SplitMix(uint64_t& s) {
  uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Norm weights are 1 so activations keep their scale; every other tensor is uniform noise,
// seeded by the tool's seed and the tensor's name (the same seed gives the same file).
void FillTensor(ggml_tensor* t, void* ud) {
  const auto& p = *static_cast<const InitParams*>(ud);
  const int64_t n = ggml_nelements(t);
  std::vector<float> data(static_cast<size_t>(n));
  const std::string name = ggml_get_name(t);
  if (name.find("norm") != std::string::npos) {
    std::fill(data.begin(), data.end(), 1.0f);
  } else {
    uint64_t s = p.seed ^ std::hash<std::string>{}(name);
    for (auto& v : data) {
      const double u = static_cast<double>(SplitMix(s) >> 11) / 9007199254740992.0;  // [0,1)
      v = static_cast<float>((u * 2.0 - 1.0) * p.scale);
    }
  }
  if (t->type != GGML_TYPE_F32) {
    std::fprintf(stderr, "unexpected tensor type for %s\n", name.c_str());
    std::exit(1);
  }
  ggml_backend_tensor_set(t, data.data(), 0, ggml_nbytes(t));
}

gguf_context* BuildMetadata(const std::string& vocab_path, const Shape& s) {
  gguf_init_params gp{/*no_alloc=*/true, /*ctx=*/nullptr};
  gguf_context* vocab = gguf_init_from_file(vocab_path.c_str(), gp);
  if (!vocab) {
    std::fprintf(stderr, "cannot read tokenizer from %s\n", vocab_path.c_str());
    std::exit(1);
  }
  gguf_context* meta = gguf_init_empty();
  gguf_set_kv(meta, vocab);  // tokenizer.* and general.* keys
  const int tokens_key = gguf_find_key(vocab, "tokenizer.ggml.tokens");
  const auto n_vocab = static_cast<uint32_t>(gguf_get_arr_n(vocab, tokens_key));
  gguf_free(vocab);

  gguf_set_val_str(meta, "general.architecture", "llama");
  gguf_set_val_str(meta, "general.name", "parley-test-model");
  gguf_set_val_u32(meta, "llama.vocab_size", n_vocab);
  gguf_set_val_u32(meta, "llama.context_length", s.context);
  gguf_set_val_u32(meta, "llama.embedding_length", s.embd);
  gguf_set_val_u32(meta, "llama.block_count", s.layers);
  gguf_set_val_u32(meta, "llama.feed_forward_length", s.ff);
  gguf_set_val_u32(meta, "llama.attention.head_count", s.heads);
  gguf_set_val_u32(meta, "llama.attention.head_count_kv", s.kv_heads);
  gguf_set_val_u32(meta, "llama.rope.dimension_count", s.embd / s.heads);
  gguf_set_val_f32(meta, "llama.rope.freq_base", 1000000.0f);
  gguf_set_val_f32(meta, "llama.attention.layer_norm_rms_epsilon", 1e-6f);
  return meta;
}

llama_ftype ParseQuant(const std::string& q) {
  if (q == "f32") return LLAMA_FTYPE_ALL_F32;
  if (q == "f16") return LLAMA_FTYPE_MOSTLY_F16;
  if (q == "q8_0") return LLAMA_FTYPE_MOSTLY_Q8_0;
  if (q == "q4_k") return LLAMA_FTYPE_MOSTLY_Q4_K_M;
  std::fprintf(stderr, "unknown --quant '%s' (f32, f16, q8_0, q4_k)\n", q.c_str());
  std::exit(2);
}

void Quiet(ggml_log_level level, const char* text, void*) {
  if (level >= GGML_LOG_LEVEL_WARN) std::fputs(text, stderr);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Write a llama-architecture GGUF with random weights and the Qwen2 tokenizer."};
  std::string out, vocab = PARLEY_DEFAULT_VOCAB, quant = "f32", preset = "tiny";
  Shape s;
  uint64_t seed = 42;
  float scale = 0.05f;
  int threads = 0;
  app.add_option("-o,--out", out, "Output .gguf path")->required();
  app.add_option("--preset", preset, "tiny (tests) or bench (~0.6B params, Qwen2-like shapes)")
      ->check(CLI::IsMember({"tiny", "bench"}));
  auto* layers = app.add_option("--layers", s.layers, "Transformer blocks");
  auto* embd = app.add_option("--embd", s.embd, "Embedding width");
  auto* ff = app.add_option("--ff", s.ff, "Feed-forward width");
  auto* heads = app.add_option("--heads", s.heads, "Attention heads");
  auto* kv = app.add_option("--kv-heads", s.kv_heads, "Key/value heads (GQA)");
  app.add_option("--context", s.context, "Training context length recorded in the file");
  app.add_option("--quant", quant, "f32, f16, q8_0 or q4_k");
  app.add_option("--seed", seed, "Weight seed");
  app.add_option("--scale", scale, "Weights are uniform in [-scale, scale]");
  app.add_option("--vocab", vocab, "GGUF to copy the tokenizer from");
  app.add_option("--threads", threads, "Threads for quantising (0: all cores)");
  CLI11_PARSE(app, argc, argv);

  if (preset == "bench") {  // Qwen3-0.6B-like: 1024 wide, 28 blocks, GQA 16/8
    if (!layers->count()) s.layers = 28;
    if (!embd->count()) s.embd = 1024;
    if (!ff->count()) s.ff = 3072;
    if (!heads->count()) s.heads = 16;
    if (!kv->count()) s.kv_heads = 8;
  }
  if (s.heads == 0 || s.embd % s.heads != 0 || s.kv_heads == 0 || s.heads % s.kv_heads != 0) {
    std::fprintf(stderr, "--embd must divide by --heads, and --heads by --kv-heads\n");
    return 2;
  }
  const llama_ftype ftype = ParseQuant(quant);
  llama_log_set(Quiet, nullptr);
  llama_backend_init();

  gguf_context* meta = BuildMetadata(vocab, s);
  InitParams ip{seed, scale};
  llama_model_params mp = llama_model_default_params();
  llama_model* model = llama_model_init_from_user(meta, FillTensor, &ip, mp);
  if (!model) {
    std::fprintf(stderr, "llama.cpp rejected the model description\n");
    return 1;
  }
  const std::string f32_path = ftype == LLAMA_FTYPE_ALL_F32 ? out : out + ".f32.tmp";
  llama_model_save_to_file(model, f32_path.c_str());
  const int64_t kv_dim = static_cast<int64_t>(s.embd) / s.heads * s.kv_heads;
  const int64_t per_layer = 2LL * s.embd * s.embd + 2 * s.embd * kv_dim + 3LL * s.embd * s.ff;
  const double params =
      static_cast<double>(llama_vocab_n_tokens(llama_model_get_vocab(model))) * s.embd * 2 +
      static_cast<double>(per_layer) * s.layers;
  llama_model_free(model);
  gguf_free(meta);

  if (ftype != LLAMA_FTYPE_ALL_F32) {
    llama_model_quantize_params qp = llama_model_quantize_default_params();
    qp.nthread = threads;
    qp.ftype = ftype;
    const uint32_t rc = llama_model_quantize(f32_path.c_str(), out.c_str(), &qp);
    std::filesystem::remove(f32_path);
    if (rc != 0) {
      std::fprintf(stderr, "quantising to %s failed\n", quant.c_str());
      return 1;
    }
  }
  std::printf("wrote %s: %u layers, width %u, ff %u, heads %u/%u, %.1fM params, %s, %.1f MB\n",
              out.c_str(), s.layers, s.embd, s.ff, s.heads, s.kv_heads, params / 1e6, quant.c_str(),
              std::filesystem::file_size(out) / 1e6);
  return 0;
}
