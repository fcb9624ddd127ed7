// `parley kb add|list|remove` (the configured knowledge base, from the terminal) and
// `parley eval retrieval` (recall@1/3/5 and MRR of a folder of documents against labelled
// questions). Each runs on the calling thread and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace parley::app {

struct KbFlags {
  std::string config;              // as for serve
  std::vector<std::string> paths;  // kb add
  int64_t id = 0;                  // kb remove
  bool json = false;               // kb list
};
int RunKbAdd(const KbFlags& flags);
int RunKbList(const KbFlags& flags);
int RunKbRemove(const KbFlags& flags);

struct EvalRetrievalFlags {
  std::string config;  // chunking settings; "" = defaults
  std::string kb;      // folder of documents, indexed in memory
  std::string data;    // JSONL: {"q": ..., "doc": ...} per line
};
int RunEvalRetrieval(const EvalRetrievalFlags& flags);

}  // namespace parley::app
