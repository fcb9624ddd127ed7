// parley: the command-line entry point. Subcommands: serve, version, config check, config docs,
// eval, chat, kb.
// and the security commands (keys, token, audit verify; see app/security_cli.h).
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/build_info.h"
#include "app/dialog_setup.h"
#include "app/eval_cmd.h"
#include "app/kb_cmd.h"
#include "app/security_cli.h"
#include "app/serve.h"
#include "config/loader.h"
#include "config/schema.h"
#include "engine/backend_info.h"
#include "engine/llama_model.h"

namespace {

int ConfigCheck(const std::string& file) {
  const std::string path = file.empty() ? parley::app::DefaultConfigPath() : file;
  const auto loaded = parley::config::LoadFile(path, parley::config::ProcessEnvironment());
  auto issues = loaded.issues;
  for (const auto& m : loaded.config.models) {
    if (m.path.empty()) continue;
    if (parley::Status s = parley::engine::CheckModelFile(m.path); !s.ok()) {
      issues.push_back({path, "models.path", s.error().message});
    }
  }
  for (const auto& issue : issues) std::cout << issue.ToString() << '\n';
  const std::string name = path.empty() ? "(defaults)" : path;
  if (!issues.empty()) {
    std::cout << name << ": " << issues.size() << " problem" << (issues.size() == 1 ? "" : "s")
              << '\n';
    return parley::app::kExitConfig;
  }
  std::vector<std::string> problems;
  const std::string flow_path =
      parley::app::ResolveFlowPath(loaded.config.dialog.flow, loaded.config.source);
  if (!flow_path.empty() && !parley::app::LoadFlowChecked(flow_path, &problems)) {
    for (const auto& p : problems) std::cout << p << '\n';
    std::cout << name << ": dialog flow " << flow_path << " is invalid\n";
    return parley::app::kExitConfig;
  }
  for (const auto& p : problems) std::cout << p << '\n';
  std::cout << name << ": OK\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Parley: a self-hosted conversational AI server in one binary."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("parley ") + parley::build::kVersion);

  parley::app::ServeFlags serve_flags;
  auto* serve = app.add_subcommand("serve", "Serve the assistant over HTTP until SIGINT/SIGTERM.");
  serve->add_option("-c,--config", serve_flags.config,
                    "Config file (default: $PARLEY_CONFIG, else ./parley.yaml if present)");
  serve->add_option("-l,--listen", serve_flags.listen, "host:port to listen on (port 0: any free)");
  serve->add_option("--port-file", serve_flags.port_file, "Write the bound port to this file");
  serve->add_option("--log-level", serve_flags.log_level, "debug, info, warn or error");
  serve->add_option("-m,--model", serve_flags.model,
                    "Serve this GGUF model (the default model; no config file needed)");
  serve->add_option("--flow", serve_flags.flow,
                    "Dialog flow file (JSON or YAML) to serve; overrides dialog.flow");

  auto* version = app.add_subcommand("version", "Print version and build information.");

  auto* config = app.add_subcommand("config", "Validate or document the configuration.");
  config->require_subcommand(1);
  std::string check_file;
  auto* check = config->add_subcommand(
      "check", "Validate a config file plus PARLEY_* environment overrides; exit 78 on error.");
  check->add_option("file", check_file, "The YAML file (default: as for serve)");
  auto* docs = config->add_subcommand("docs", "Print the configuration reference (Markdown).");

  parley::app::EvalFlags eval_flags;
  auto* eval = app.add_subcommand("eval", "Evaluate the dialog engine on labelled data.");
  eval->require_subcommand(1);
  auto* eval_intents = eval->add_subcommand(
      "intents", "Intent accuracy, macro-F1, confusions, out-of-scope and a threshold sweep.");
  eval_intents->add_option("--flow", eval_flags.flow, "Dialog flow file")->required();
  eval_intents->add_option("--data", eval_flags.data, "JSONL lines {\"text\",\"intent\"}")
      ->required();
  eval_intents->add_option("--threshold", eval_flags.threshold, "Override the flow's threshold");
  eval_intents->add_flag("--errors", eval_flags.errors,
                         "List every wrong answer with the top two intents");
  eval_intents->add_option("--evidence", eval_flags.evidence,
                           "Write each line's evidence for its top intent to this JSONL file "
                           "(for bench/fit_confidence.mjs)");

  parley::app::EvalRetrievalFlags retrieval_flags;
  auto* eval_retrieval = eval->add_subcommand(
      "retrieval", "Knowledge retrieval recall@1/3/5 and MRR over a folder of documents.");
  eval_retrieval->add_option("--kb", retrieval_flags.kb, "Folder of documents (indexed in memory)")
      ->required();
  eval_retrieval->add_option("--data", retrieval_flags.data, "JSONL lines {\"q\",\"doc\"}")
      ->required();
  eval_retrieval->add_option("-c,--config", retrieval_flags.config,
                             "Config file for the knowledge settings (default: defaults)");

  parley::app::KbFlags kb_flags;
  auto* kb = app.add_subcommand("kb", "Manage the knowledge base of the configuration.");
  kb->require_subcommand(1);
  kb->add_option("-c,--config", kb_flags.config, "Config file (as for serve)");
  auto* kb_add = kb->add_subcommand("add", "Add files or folders (re-indexes changed files).");
  kb_add->add_option("paths", kb_flags.paths, "Files or folders")->required();
  auto* kb_list = kb->add_subcommand("list", "List the stored documents.");
  kb_list->add_flag("--json", kb_flags.json, "One JSON object per document");
  auto* kb_remove = kb->add_subcommand("remove", "Remove a document and its chunks.");
  kb_remove->add_option("id", kb_flags.id, "Document id (see `kb list`)")->required();
  for (auto* sub : {kb_add, kb_list, kb_remove}) {
    sub->add_option("-c,--config", kb_flags.config, "Config file (as for serve)");
  }

  parley::app::ChatFlags chat_flags;
  auto* chat = app.add_subcommand("chat", "Talk to the assistant in the terminal (same pipeline).");
  chat->add_option("-c,--config", chat_flags.config, "Config file (as for serve)");
  chat->add_option("--flow", chat_flags.flow, "Dialog flow file; overrides dialog.flow");
  chat->add_option("--session", chat_flags.session, "Continue this session id");
  chat->add_flag("--json", chat_flags.json, "Print each reply as JSON");
  parley::app::SecurityCli security_cli;
  parley::app::AddSecurityCommands(app, &security_cli);

  // A flag given twice (e.g. a wrapper adds --listen, the user adds another): the last wins.
  for (auto* opt : serve->get_options()) opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);

  CLI11_PARSE(app, argc, argv);

  if (serve->parsed()) return parley::app::RunServe(serve_flags);
  if (int rc = 0; parley::app::RunSecurityCommand(security_cli, &rc)) return rc;
  if (version->parsed()) {
    std::cout << "parley " << parley::build::kVersion << "\ncommit " << parley::build::kCommit
              << "\ncompiler " << parley::build::kCompiler << "\nbuild "
              << parley::build::kBuildType << "\nllama.cpp " << parley::build::kLlamaCommit
              << "\nbackend " << parley::engine::BackendInfo() << "\n";
    return 0;
  }
  if (check->parsed()) return ConfigCheck(check_file);
  if (eval_intents->parsed()) return parley::app::RunEvalIntents(eval_flags);
  if (chat->parsed()) return parley::app::RunChat(chat_flags);
  if (eval_retrieval->parsed()) return parley::app::RunEvalRetrieval(retrieval_flags);
  if (kb_add->parsed()) return parley::app::RunKbAdd(kb_flags);
  if (kb_list->parsed()) return parley::app::RunKbList(kb_flags);
  if (kb_remove->parsed()) return parley::app::RunKbRemove(kb_flags);
  if (docs->parsed()) {
    std::cout << parley::config::RenderMarkdown();
    return 0;
  }
  return 0;
}
