// Builds a llama.cpp sampler chain from request parameters. The chain is owned by the caller
// (a scheduler slot) and used only on the scheduler thread.
#pragma once

#include <memory>

#include "engine/llm.h"

struct llama_sampler;
struct llama_vocab;

namespace parley::engine {

struct SamplerDeleter {
  void operator()(llama_sampler* s) const;
};
using SamplerPtr = std::unique_ptr<llama_sampler, SamplerDeleter>;

// Logit biases, then top-k, then penalties; temperature <= 0 then picks greedily, otherwise
// top-p -> min-p -> temperature -> a seeded draw.
SamplerPtr MakeSampler(const SamplingParams& p, const llama_vocab* vocab);

}  // namespace parley::engine
