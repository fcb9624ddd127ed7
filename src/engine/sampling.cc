#include "engine/sampling.h"

#include <vector>

#include "llama.h"

namespace parley::engine {

void SamplerDeleter::operator()(llama_sampler* s) const { llama_sampler_free(s); }

SamplerPtr MakeSampler(const SamplingParams& p, const llama_vocab* vocab) {
  llama_sampler* chain = llama_sampler_chain_init(llama_sampler_chain_default_params());
  if (!p.logit_bias.empty()) {
    std::vector<llama_logit_bias> bias;
    for (const auto& [token, value] : p.logit_bias) bias.push_back({token, value});
    llama_sampler_chain_add(
        chain, llama_sampler_init_logit_bias(llama_vocab_n_tokens(vocab),
                                             static_cast<int32_t>(bias.size()), bias.data()));
  }
  // Penalties scan the candidates, so they come after top-k has cut the list down.
  if (p.top_k > 0) llama_sampler_chain_add(chain, llama_sampler_init_top_k(p.top_k));
  if (p.repeat_penalty != 1.0f || p.frequency_penalty != 0.0f || p.presence_penalty != 0.0f) {
    llama_sampler_chain_add(chain, llama_sampler_init_penalties(
                                       llama_vocab_n_tokens(vocab), p.repeat_last_n,
                                       p.repeat_penalty, p.frequency_penalty, p.presence_penalty));
  }
  if (p.temperature <= 0.0f) {
    llama_sampler_chain_add(chain, llama_sampler_init_greedy());
    return SamplerPtr(chain);
  }
  if (p.top_p < 1.0f) llama_sampler_chain_add(chain, llama_sampler_init_top_p(p.top_p, 1));
  if (p.min_p > 0.0f) llama_sampler_chain_add(chain, llama_sampler_init_min_p(p.min_p, 1));
  llama_sampler_chain_add(chain, llama_sampler_init_temp(p.temperature));
  llama_sampler_chain_add(chain, llama_sampler_init_dist(p.seed));
  return SamplerPtr(chain);
}

}  // namespace parley::engine
