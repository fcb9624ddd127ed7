// `parley chat`: a terminal client that runs the same pipeline as /v1/dialog in-process, with
// line editing and history (libedit) and replies printed as they stream.
#include <editline/readline.h>
#include <unistd.h>

#include <iostream>

#include "api/dialog_routes.h"
#include "app/dialog_setup.h"
#include "app/eval_cmd.h"
#include "app/serve.h"
#include "config/loader.h"
#include "config/schema.h"
#include "util/text.h"

namespace parley::app {
namespace {

// Prints LLM text as it arrives (engine thread); the turn's thread prints the rest.
class PrintingListener : public dialog::ReplyListener {
 public:
  void OnDelta(std::string_view t) override {
    std::cout << t << std::flush;
    printed_ = true;
  }
  bool printed() const { return printed_; }

 private:
  std::atomic<bool> printed_{false};
};

bool ReadLine(bool tty, std::string* line) {
  if (!tty) return static_cast<bool>(std::getline(std::cin, *line));
  char* raw = readline("you> ");
  if (!raw) return false;
  *line = raw;
  if (!text::Trim(*line).empty()) add_history(raw);
  free(raw);
  return true;
}

}  // namespace

int RunChat(const ChatFlags& flags) {
  const std::string path = flags.config.empty() ? DefaultConfigPath() : flags.config;
  auto loaded = config::LoadFile(path, config::ProcessEnvironment());
  if (!flags.flow.empty()) loaded.config.dialog.flow = flags.flow;
  if (!loaded.ok()) {
    for (const auto& issue : loaded.issues) std::cerr << issue.ToString() << '\n';
    return kExitConfig;
  }
  if (loaded.config.dialog.flow.empty()) {
    std::cerr << "parley chat: no dialog flow (use --flow FILE or dialog.flow in the config)\n";
    return kExitConfig;
  }
  std::vector<std::string> problems;
  auto stack = BuildDialogStack(loaded.config, nullptr, {}, &problems);
  for (const auto& p : problems) std::cerr << p << '\n';
  if (!stack.ok()) {
    std::cerr << "parley chat: " << stack.error().message << '\n';
    return kExitConfig;
  }
  const bool tty = isatty(STDIN_FILENO);
  std::string session = flags.session;
  if (tty) std::cout << "Parley chat (" << loaded.config.dialog.flow << "). Ctrl-D to quit.\n";
  std::string line;
  while (ReadLine(tty, &line)) {
    if (text::Trim(line).empty()) continue;
    PrintingListener listener;
    if (tty) std::cout << stack->flow->persona.name << "> " << std::flush;
    auto r = stack->assistant->HandleTurn({session, "", "cli", line}, &listener);
    if (!r.ok()) {
      std::cout << "[error] " << r.error().message << '\n';
      continue;
    }
    session = r->session_id;
    if (flags.json) {
      std::cout << api::Dump(api::TurnReplyJson(*r)) << '\n';
    } else {
      if (!listener.printed()) std::cout << r->reply;
      std::cout << "  [" << dialog::SourceName(r->source)
                << (r->intent.empty() ? "" : " " + r->intent) << "]\n";
    }
  }
  if (tty) std::cout << "\nsession " << session << '\n';
  return 0;
}

}  // namespace parley::app
