#include "engine/llama_model.h"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "llama.h"

namespace parley::engine {
namespace {}  // namespace

Status CheckModelFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "model file " + path + ": cannot open it (missing or unreadable)",
                     "model_load_failed");
  }
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() != 4 || std::memcmp(magic, "GGUF", 4) != 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "model file " + path + ": not a GGUF file (bad magic bytes)",
                     "model_load_failed");
  }
  return Status::Ok();
}

Result<std::unique_ptr<LlamaModel>> LlamaModel::Load(const ModelOptions& options) {
  if (Status s = CheckModelFile(options.path); !s.ok()) return s.error();
  llama_backend_init();
  llama_model_params mp = llama_model_default_params();
  mp.load_mode = LLAMA_LOAD_MODE_MMAP;
  llama_model* raw = llama_model_load_from_file(options.path.c_str(), mp);
  if (!raw) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "model file " + options.path +
                         ": llama.cpp could not load it (truncated, corrupt or unsupported)",
                     "model_load_failed");
  }
  std::unique_ptr<LlamaModel> m(new LlamaModel());
  m->options_ = options;
  m->model_ = raw;
  m->vocab_ = llama_model_get_vocab(raw);
  m->n_vocab_ = llama_vocab_n_tokens(m->vocab_);
  m->n_ctx_train_ = llama_model_n_ctx_train(raw);
  char buf[256];
  for (Token t = 0; t < m->n_vocab_; ++t) {
    const int n = llama_token_to_piece(m->vocab_, t, buf, sizeof buf, 0, true);
    m->max_token_bytes_ = std::max(m->max_token_bytes_, n);
  }
  std::string source = "chatml";
  if (!options.chat_template.empty()) {
    source = options.chat_template;
  } else if (const char* t = llama_model_chat_template(raw, nullptr)) {
    source = t;
  }
  m->add_bos_ = llama_vocab_get_add_bos(m->vocab_);
  const auto special = [&](Token t) { return t < 0 ? std::string() : m->Piece(t, true); };
  auto tmpl = ChatTemplate::Create(source, special(llama_vocab_bos(m->vocab_)),
                                   special(llama_vocab_eos(m->vocab_)));
  if (!tmpl.ok()) return tmpl.error();
  m->template_ = std::move(*tmpl);
  return m;
}

LlamaModel::~LlamaModel() {
  if (model_) llama_model_free(model_);
}

std::vector<Token> LlamaModel::Tokenize(std::string_view text, bool add_bos,
                                        bool parse_special) const {
  std::vector<Token> out(text.size() + 2);
  int n = llama_tokenize(vocab_, text.data(), static_cast<int32_t>(text.size()), out.data(),
                         static_cast<int32_t>(out.size()), add_bos, parse_special);
  if (n < 0) {
    out.resize(static_cast<size_t>(-n));
    n = llama_tokenize(vocab_, text.data(), static_cast<int32_t>(text.size()), out.data(),
                       static_cast<int32_t>(out.size()), add_bos, parse_special);
  }
  out.resize(static_cast<size_t>(std::max(n, 0)));
  return out;
}

std::string LlamaModel::Piece(Token token, bool special) const {
  char buf[256];
  const int n = llama_token_to_piece(vocab_, token, buf, sizeof buf, 0, special);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string LlamaModel::Detokenize(const std::vector<Token>& tokens) const {
  std::string out;
  for (Token t : tokens) out += Piece(t);
  return out;
}

bool LlamaModel::IsEndOfGeneration(Token token) const { return llama_vocab_is_eog(vocab_, token); }

Result<std::vector<Token>> LlamaModel::TokenizeChat(
    const std::vector<ChatMessage>& messages) const {
  std::vector<ChatMessage> chat;
  const bool has_system = !messages.empty() && messages.front().role == "system";
  if (!has_system && !options_.system_prompt.empty()) {
    chat.push_back({"system", options_.system_prompt});
  }
  chat.insert(chat.end(), messages.begin(), messages.end());
  auto parts = template_->Render(chat);
  if (!parts.ok()) return parts.error();
  // Template text: special tokens parsed. Message text: never (a user typing "<|im_start|>"
  // gets those characters, not a role marker).
  std::vector<Token> out;
  bool first = true;
  for (const auto& p : *parts) {
    if (p.text.empty()) continue;
    auto t = Tokenize(p.text, first && add_bos_, !p.from_message);
    out.insert(out.end(), t.begin(), t.end());
    first = false;
  }
  return out;
}

}  // namespace parley::engine
