// A GGUF model loaded through llama.cpp (weights memory-mapped) plus what every request needs
// from it: tokenisation, detokenisation and chat formatting. Read-only after Load(), so any
// thread may call its methods (llama.cpp's vocab functions are thread-safe for reading).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/chat_template.h"
#include "engine/llm.h"
#include "engine/options.h"
#include "util/result.h"

struct llama_model;
struct llama_vocab;

namespace parley::engine {

using Token = int32_t;

// Cheap checks a start-up can make before loading: the file opens and starts with GGUF magic.
Status CheckModelFile(const std::string& path);

class LlamaModel {
 public:
  // Checks the file (exists, readable, GGUF magic) before handing it to llama.cpp, so a bad
  // path is an error naming the file and the reason rather than a crash.
  static Result<std::unique_ptr<LlamaModel>> Load(const ModelOptions& options);
  ~LlamaModel();

  llama_model* raw() const { return model_; }
  const llama_vocab* vocab() const { return vocab_; }
  const ModelOptions& options() const { return options_; }
  int n_vocab() const { return n_vocab_; }
  int n_ctx_train() const { return n_ctx_train_; }
  // The most bytes one token can stand for; bytes / this bounds the token count from below.
  int max_token_bytes() const { return max_token_bytes_; }

  // parse_special=false keeps text such as "<|im_start|>" as plain text (no forged roles).
  std::vector<Token> Tokenize(std::string_view text, bool add_bos, bool parse_special) const;
  // Raw bytes, may be part of a UTF-8 character; special tokens render only when asked.
  std::string Piece(Token token, bool special = false) const;
  std::string Detokenize(const std::vector<Token>& tokens) const;
  bool IsEndOfGeneration(Token token) const;

  // Formats a chat with the model's template (or the configured override) and tokenises it:
  // template text with special tokens parsed, message contents without.
  Result<std::vector<Token>> TokenizeChat(const std::vector<ChatMessage>& messages) const;

 private:
  LlamaModel() = default;

  ModelOptions options_;
  llama_model* model_ = nullptr;
  const llama_vocab* vocab_ = nullptr;
  std::shared_ptr<const ChatTemplate> template_;
  bool add_bos_ = false;
  int n_vocab_ = 0;
  int n_ctx_train_ = 0;
  int max_token_bytes_ = 1;
};

}  // namespace parley::engine
