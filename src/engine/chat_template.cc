#include "engine/chat_template.h"

#include <exception>

#include "jinja/lexer.h"
#include "jinja/parser.h"
#include "jinja/runtime.h"
#include "json.h"
#include "llama.h"

namespace parley::engine {

struct ChatTemplate::Jinja {
  jinja::program program;
  std::string source;
};

namespace {

// Marks where each message's content goes when a built-in template formats the chat.
std::string Sentinel(size_t i) { return "\x01\x02PARLEY" + std::to_string(i) + "\x02\x01"; }

Error TemplateError(const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument, "the chat template rejected the messages: " + why,
                   "chat_template_error", "messages");
}

}  // namespace

ChatTemplate::~ChatTemplate() = default;

Result<std::shared_ptr<const ChatTemplate>> ChatTemplate::Create(const std::string& source,
                                                                 const std::string& bos,
                                                                 const std::string& eos) {
  auto t = std::shared_ptr<ChatTemplate>(new ChatTemplate());
  t->source_ = source;
  t->bos_ = bos;
  t->eos_ = eos;
  if (source.find("{%") != std::string::npos || source.find("{{") != std::string::npos) {
    try {
      jinja::lexer lexer;
      auto tokens = lexer.tokenize(source);
      auto j = std::make_unique<Jinja>();
      j->program = jinja::parse_from_tokens(tokens);
      j->source = tokens.source;
      t->jinja_ = std::move(j);
    } catch (const std::exception& e) {
      // Fall back to llama.cpp's detection of well-known templates from their text.
      t->jinja_.reset();
    }
  }
  return std::shared_ptr<const ChatTemplate>(std::move(t));
}

Result<std::vector<TemplatePart>> ChatTemplate::Render(const std::vector<ChatMessage>& chat) const {
  return jinja_ ? RenderJinja(chat) : RenderBuiltin(chat);
}

Result<std::vector<TemplatePart>> ChatTemplate::RenderJinja(
    const std::vector<ChatMessage>& chat) const {
  try {
    jinja::context ctx(jinja_->source);
    common_json messages = common_json::array();
    for (const auto& m : chat) {
      common_json msg = common_json::object();
      msg["role"] = m.role;
      msg["content"] = m.content;
      messages.push_back(msg);
    }
    common_json input = common_json::object();
    input["messages"] = messages;
    jinja::global_from_json(ctx, input, /*mark_input=*/true);
    common_json settings = common_json::object();
    settings["bos_token"] = bos_;
    settings["eos_token"] = eos_;
    settings["add_generation_prompt"] = true;
    jinja::global_from_json(ctx, settings, /*mark_input=*/false);
    jinja::runtime runtime(ctx);
    const jinja::value result = runtime.execute(jinja_->program);
    const auto parts = jinja::runtime::gather_string_parts(result);
    std::vector<TemplatePart> out;
    for (const auto& p : parts->val_str.parts) out.push_back({p.val, p.is_input});
    // The tokenizer adds BOS itself where the model wants it.
    if (!bos_.empty() && !out.empty() && !out.front().from_message &&
        out.front().text.rfind(bos_, 0) == 0) {
      out.front().text.erase(0, bos_.size());
    }
    return out;
  } catch (const std::exception& e) {
    return TemplateError(e.what());
  }
}

Result<std::vector<TemplatePart>> ChatTemplate::RenderBuiltin(
    const std::vector<ChatMessage>& chat) const {
  std::vector<std::string> sentinels;
  std::vector<llama_chat_message> raw;
  for (size_t i = 0; i < chat.size(); ++i) sentinels.push_back(Sentinel(i));
  for (size_t i = 0; i < chat.size(); ++i)
    raw.push_back({chat[i].role.c_str(), sentinels[i].c_str()});
  std::string formatted(4096, '\0');
  int n = llama_chat_apply_template(source_.c_str(), raw.data(), raw.size(), true, formatted.data(),
                                    static_cast<int32_t>(formatted.size()));
  if (n > static_cast<int>(formatted.size())) {
    formatted.resize(static_cast<size_t>(n));
    n = llama_chat_apply_template(source_.c_str(), raw.data(), raw.size(), true, formatted.data(),
                                  static_cast<int32_t>(formatted.size()));
  }
  if (n < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "this model's chat template is not supported; set the model's "
                     "`chat_template` to a built-in name such as chatml",
                     "unsupported_chat_template");
  }
  formatted.resize(static_cast<size_t>(n));
  std::vector<TemplatePart> out;
  size_t pos = 0;
  for (size_t i = 0; i < chat.size(); ++i) {
    const size_t at = formatted.find(sentinels[i], pos);
    if (at == std::string::npos) return TemplateError("a message was dropped");
    out.push_back({formatted.substr(pos, at - pos), false});
    out.push_back({chat[i].content, true});
    pos = at + sentinels[i].size();
  }
  out.push_back({formatted.substr(pos), false});
  return out;
}

}  // namespace parley::engine
