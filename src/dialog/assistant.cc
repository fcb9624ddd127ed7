#include "dialog/assistant.h"

#include <unicode/utf8.h>

#include <condition_variable>
#include <nlohmann/json.hpp>
#include <random>

#include "engine/waiting_sink.h"
#include "util/clock.h"
#include "util/text.h"

namespace parley::dialog {

Assistant::Assistant(std::shared_ptr<const Flow> flow, std::shared_ptr<const Nlu> nlu,
                     store::SessionStore* store, engine::Llm* llm, KnowledgeSource* knowledge,
                     AssistantOptions options)
    : flow_(std::move(flow)),
      nlu_(std::move(nlu)),
      store_(store),
      llm_(llm),
      knowledge_(knowledge),
      options_(std::move(options)) {}

int64_t Assistant::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return UnixMillis();
}

Assistant::Stripe& Assistant::StripeFor(const std::string& id) {
  return stripes_[std::hash<std::string>{}(id) % stripes_.size()];
}

Status Assistant::CheckSessionId(std::string_view id) {
  const bool ok = !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
  if (ok) return Status::Ok();
  return MakeError(ErrorCode::kInvalidArgument,
                   "session_id must be 1-64 characters of A-Z, a-z, 0-9, '-', '_' or '.'",
                   "invalid_session_id", "session_id");
}

Status Assistant::CheckMessage(std::string_view m) const {
  auto bad = [](std::string msg, std::string reason) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(msg), std::move(reason), "message");
  };
  if (!text::IsValidUtf8(m)) return bad("message is not valid UTF-8", "invalid_utf8");
  if (text::Trim(m).empty()) return bad("message is empty", "empty_message");
  int64_t chars = 0;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(m.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(m.data(), i, n, c);
    ++chars;
    const bool control =
        (c < 0x20 && c != '\n' && c != '\t' && c != '\r') || (c >= 0x7F && c <= 0x9F);
    if (control) {
      return bad(
          "message contains control character U+" +
              [c] {
                char buf[8];
                std::snprintf(buf, sizeof buf, "%04X", static_cast<unsigned>(c));
                return std::string(buf);
              }(),
          "control_characters");
    }
  }
  if (chars > options_.max_message_chars) {
    return bad("message is " + std::to_string(chars) + " characters; the limit is " +
                   std::to_string(options_.max_message_chars),
               "message_too_long");
  }
  return Status::Ok();
}

std::string Assistant::NewSessionId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

std::optional<std::string> Assistant::AskLlm(const SessionState& state, const Vars& vars,
                                             std::string_view message,
                                             const std::string& session_id,
                                             ReplyListener* listener) {
  if (!llm_) return std::nullopt;
  engine::GenerateRequest req;
  req.messages =
      BuildLlmMessages(flow_->persona, state, vars, message, options_.history_token_budget);
  req.max_tokens = options_.llm_max_tokens;
  req.session_id = session_id;
  auto sink = std::make_shared<engine::WaitingSink>(
      listener
          ? engine::WaitingSink::DeltaFn([listener](std::string_view t) { listener->OnDelta(t); })
          : nullptr,
      listener ? engine::WaitingSink::CancelledFn([listener] { return listener->Cancelled(); })
               : nullptr);
  if (Status s = llm_->Generate(std::move(req), sink); !s.ok()) return std::nullopt;
  auto text = sink->Wait(options_.llm_timeout);
  if (!text || text::Trim(*text).empty()) return std::nullopt;
  return text;
}

}  // namespace parley::dialog
