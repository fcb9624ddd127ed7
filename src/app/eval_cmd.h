// `parley eval intents` and `parley chat`: command-line tools over the dialog pipeline.
// Each runs on the calling thread and returns the process exit code.
#pragma once

#include <string>

namespace parley::app {

struct EvalFlags {
  std::string flow;
  std::string data;       // JSONL: {"text": ..., "intent": ...} per line
  std::string threshold;  // "" = the flow's
  bool errors = false;    // also list every wrong answer
  std::string evidence;   // "" = none; else a JSONL file of each line's evidence (WriteEvidence)
};
int RunEvalIntents(const EvalFlags& flags);

struct ChatFlags {
  std::string config;   // as for serve
  std::string flow;     // overrides dialog.flow
  std::string session;  // "" = a new session
  bool json = false;    // print each reply's full JSON
};
int RunChat(const ChatFlags& flags);

}  // namespace parley::app
