#include "app/kb_cmd.h"

#include <fstream>
#include <iostream>

#include "api/json_body.h"
#include "api/kb_routes.h"
#include "app/jsonl.h"
#include "app/kb_setup.h"
#include "app/serve.h"
#include "config/loader.h"
#include "knowledge/retrieval_eval.h"
#include "util/text.h"

namespace parley::app {
namespace {

bool LoadConfig(const std::string& file, config::Config* out) {
  const std::string path = file.empty() ? DefaultConfigPath() : file;
  auto loaded = config::LoadFile(path, config::ProcessEnvironment());
  for (const auto& issue : loaded.issues) std::cerr << issue.ToString() << '\n';
  if (!loaded.ok()) return false;
  *out = loaded.config;
  return true;
}

// The knowledge base of the config, or null (message printed).
std::unique_ptr<knowledge::KnowledgeBase> OpenKb(const KbFlags& flags, const std::string& dir = "",
                                                 config::Config* cfg_out = nullptr) {
  config::Config cfg;
  if (!LoadConfig(flags.config, &cfg)) return nullptr;
  cfg.knowledge.enabled = true;
  auto stack = BuildKnowledgeStack(cfg, nullptr, dir);
  if (!stack.ok()) {
    std::cerr << "parley kb: " << stack.error().message << '\n';
    return nullptr;
  }
  if (cfg_out) *cfg_out = cfg;
  return std::move(stack->kb);
}

bool ReadCases(const std::string& path, std::vector<knowledge::RetrievalCase>* out) {
  std::vector<std::pair<std::string, std::string>> rows;
  if (!ReadStringPairs(path, "q", "doc", R"({"q": "...", "doc": "file name"})", &rows)) {
    return false;
  }
  for (auto& [q, doc] : rows) out->push_back({std::move(q), std::move(doc)});
  return true;
}

}  // namespace

int RunKbAdd(const KbFlags& flags) {
  config::Config cfg;
  auto kb = OpenKb(flags, "", &cfg);
  if (!kb) return kExitConfig;
  const auto sum = IngestPaths(*kb, flags.paths, "",
                               [](const std::string& line) { std::cout << line << std::endl; });
  std::cout << sum.added << " added, " << sum.replaced << " updated, " << sum.unchanged
            << " unchanged, " << sum.failed << " failed; " << kb->chunk_count() << " chunks in "
            << cfg.knowledge.dir << '\n';
  return sum.failed ? 1 : 0;
}

int RunKbList(const KbFlags& flags) {
  auto kb = OpenKb(flags);
  if (!kb) return kExitConfig;
  auto docs = kb->List();
  if (!docs.ok()) {
    std::cerr << "parley kb: " << docs.error().message << '\n';
    return 1;
  }
  for (const auto& d : *docs) {
    if (flags.json) {
      std::cout << api::Dump(api::DocumentJson(d)) << '\n';
    } else {
      std::cout << d.id << '\t' << d.kind << '\t' << d.chunks << " chunks\t" << d.name << '\t'
                << d.title << '\n';
    }
  }
  if (!flags.json) std::cout << docs->size() << " documents\n";
  return 0;
}

int RunKbRemove(const KbFlags& flags) {
  auto kb = OpenKb(flags);
  if (!kb) return kExitConfig;
  auto r = kb->Remove(flags.id);
  if (!r.ok()) {
    std::cerr << "parley kb: " << r.error().message << '\n';
    return 1;
  }
  std::cout << "removed document " << r->id << " (" << r->name << ")\n";
  return 0;
}

int RunEvalRetrieval(const EvalRetrievalFlags& flags) {
  std::vector<knowledge::RetrievalCase> cases;
  if (!ReadCases(flags.data, &cases)) return 1;
  KbFlags kf;
  kf.config = flags.config;
  config::Config cfg;
  auto kb = OpenKb(kf, ":memory:", &cfg);
  if (!kb) return kExitConfig;
  const auto sum = IngestPaths(*kb, {flags.kb}, "", [](const std::string& line) {
    if (line.find("failed") != std::string::npos) std::cerr << line << '\n';
  });
  if (sum.added == 0) {
    std::cerr << flags.kb << ": no documents could be indexed\n";
    return 1;
  }
  const auto report = knowledge::EvaluateRetrieval(*kb, cases);
  std::cout << "kb: " << flags.kb << " (" << sum.added << " documents, " << kb->chunk_count()
            << " chunks, " << (kb->hybrid() ? "hybrid" : "lexical") << ")\n"
            << "data: " << flags.data << '\n'
            << knowledge::FormatRetrievalReport(report);
  return 0;
}

}  // namespace parley::app
