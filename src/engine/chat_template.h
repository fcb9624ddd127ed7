// Renders a chat into prompt text with the model's template. Jinja templates (as found in GGUF
// files) run on llama.cpp's Jinja engine; other values are llama.cpp built-in template names
// (chatml, llama3, ...). The result keeps track of which text came from messages, so callers
// tokenise message text without parsing special tokens. Immutable after Create; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "engine/llm.h"
#include "util/result.h"

namespace parley::engine {

struct TemplatePart {
  std::string text;
  bool from_message = false;  // user/assistant/system content: never parse special tokens
};

class ChatTemplate {
 public:
  // `source`: a Jinja template or a built-in name; bos/eos: the model's tokens as text.
  static Result<std::shared_ptr<const ChatTemplate>> Create(const std::string& source,
                                                            const std::string& bos,
                                                            const std::string& eos);
  ~ChatTemplate();
  Result<std::vector<TemplatePart>> Render(const std::vector<ChatMessage>& chat) const;
  bool is_jinja() const { return jinja_ != nullptr; }

 private:
  struct Jinja;
  Result<std::vector<TemplatePart>> RenderBuiltin(const std::vector<ChatMessage>& chat) const;
  Result<std::vector<TemplatePart>> RenderJinja(const std::vector<ChatMessage>& chat) const;

  std::string source_, bos_, eos_;
  std::unique_ptr<Jinja> jinja_;
};

}  // namespace parley::engine
