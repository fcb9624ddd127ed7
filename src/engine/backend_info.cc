#include "engine/backend_info.h"

#include "llama.h"

namespace parley::engine {

std::string BackendInfo() {
  llama_backend_init();
  std::string info = llama_print_system_info();
  while (!info.empty() && (info.back() == ' ' || info.back() == '|')) info.pop_back();
  return info;
}

}  // namespace parley::engine
