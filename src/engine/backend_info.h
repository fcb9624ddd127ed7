// What the linked llama.cpp/ggml build can do on this machine (CPU features, GPU backends).
// The inference engine grows around this folder; llama.h is included only under engine/.
#pragma once

#include <string>

namespace parley::engine {

// One line from llama.cpp describing the compiled-in backends and detected CPU features.
std::string BackendInfo();

}  // namespace parley::engine
