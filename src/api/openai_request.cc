#include "api/openai_request.h"

#include <cmath>

namespace parley::api {
namespace {

Error Invalid(const std::string& param, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, "'" + param + "' " + what, "invalid_value", param);
}

Error WrongType(const std::string& param, const std::string& expected) {
  return MakeError(ErrorCode::kInvalidArgument, "'" + param + "' must be " + expected,
                   "invalid_type", param);
}

// Reads an optional number field in [lo, hi] into *out.
Status Number(const Json& b, const char* key, double lo, double hi, float* out) {
  const auto it = b.find(key);
  if (it == b.end() || it->is_null()) return Status::Ok();
  if (!it->is_number()) return WrongType(key, "a number");
  const double v = it->get<double>();
  if (!std::isfinite(v) || v < lo || v > hi) {
    return Invalid(key, "must be between " + Json(lo).dump() + " and " + Json(hi).dump());
  }
  *out = static_cast<float>(v);
  return Status::Ok();
}

Status Integer(const Json& b, const char* key, int64_t lo, int64_t hi, int64_t* out, bool* set) {
  const auto it = b.find(key);
  if (it == b.end() || it->is_null()) return Status::Ok();
  if (!it->is_number_integer()) return WrongType(key, "an integer");
  const int64_t v = it->get<int64_t>();
  if (v < lo || v > hi) {
    return Invalid(key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                            ", got " + std::to_string(v));
  }
  *out = v;
  if (set) *set = true;
  return Status::Ok();
}

Status Bool(const Json& b, const char* key, bool* out) {
  const auto it = b.find(key);
  if (it == b.end() || it->is_null()) return Status::Ok();
  if (!it->is_boolean()) return WrongType(key, "true or false");
  *out = it->get<bool>();
  return Status::Ok();
}

// Message content: a string, or an array of {"type":"text","text":...} parts.
Result<std::string> Content(const Json& c, const std::string& param) {
  if (c.is_string()) return c.get<std::string>();
  if (c.is_null()) return std::string();
  if (!c.is_array()) return WrongType(param, "a string or an array of text parts");
  std::string out;
  for (size_t i = 0; i < c.size(); ++i) {
    const Json& part = c[i];
    const std::string p = param + "[" + std::to_string(i) + "]";
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
        !part["text"].is_string()) {
      return Invalid(p,
                     "must be a text part {\"type\":\"text\",\"text\":...}; other part types "
                     "are not supported");
    }
    out += part["text"].get<std::string>();
  }
  return out;
}

Result<std::vector<engine::ChatMessage>> Messages(const Json& b) {
  const auto it = b.find("messages");
  if (it == b.end()) return Invalid("messages", "is required");
  if (!it->is_array()) return WrongType("messages", "an array of messages");
  if (it->empty()) return Invalid("messages", "must contain at least one message");
  std::vector<engine::ChatMessage> out;
  for (size_t i = 0; i < it->size(); ++i) {
    const Json& m = (*it)[i];
    const std::string p = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) return WrongType(p, "an object");
    const auto role = m.find("role");
    if (role == m.end() || !role->is_string()) return WrongType(p + ".role", "a string");
    std::string r = role->get<std::string>();
    if (r == "developer") r = "system";
    if (r != "system" && r != "user" && r != "assistant" && r != "tool") {
      return Invalid(p + ".role", "must be one of system, developer, user, assistant, tool");
    }
    const auto content = m.find("content");
    if (content == m.end()) return Invalid(p + ".content", "is required");
    auto text = Content(*content, p + ".content");
    if (!text.ok()) return text.error();
    out.push_back({std::move(r), std::move(*text)});
  }
  return out;
}

Status Stops(const Json& b, std::vector<std::string>* out) {
  const auto it = b.find("stop");
  if (it == b.end() || it->is_null()) return Status::Ok();
  std::vector<std::string> stops;
  if (it->is_string()) {
    stops.push_back(it->get<std::string>());
  } else if (it->is_array()) {
    if (it->size() > 16) return Invalid("stop", "may hold at most 16 strings");
    for (const auto& s : *it) {
      if (!s.is_string()) return WrongType("stop", "a string or an array of strings");
      stops.push_back(s.get<std::string>());
    }
  } else {
    return WrongType("stop", "a string or an array of strings");
  }
  for (const auto& s : stops) {
    if (s.empty() || s.size() > 256) return Invalid("stop", "strings must be 1 to 256 bytes long");
  }
  *out = std::move(stops);
  return Status::Ok();
}

Status LogitBias(const Json& b, int n_vocab, engine::SamplingParams* p) {
  const auto it = b.find("logit_bias");
  if (it == b.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return WrongType("logit_bias", "an object of token id -> bias");
  if (it->size() > 1024) return Invalid("logit_bias", "may hold at most 1024 entries");
  for (const auto& [key, value] : it->items()) {
    char* end = nullptr;
    const long id = std::strtol(key.c_str(), &end, 10);
    if (key.empty() || *end || id < 0 || id >= n_vocab) {
      return Invalid("logit_bias", "key '" + key + "' is not a token id of this model");
    }
    if (!value.is_number() || !std::isfinite(value.get<double>()) ||
        std::fabs(value.get<double>()) > 100) {
      return Invalid("logit_bias", "values must be numbers from -100 to 100");
    }
    p->logit_bias.emplace_back(static_cast<int32_t>(id), value.get<float>());
  }
  return Status::Ok();
}

Status Sampling(const Json& b, const ModelLimits& limits, engine::SamplingParams* p) {
  Status s;
  if (!(s = Number(b, "temperature", 0, 2, &p->temperature)).ok()) return s;
  if (!(s = Number(b, "top_p", 0, 1, &p->top_p)).ok()) return s;
  if (!(s = Number(b, "min_p", 0, 1, &p->min_p)).ok()) return s;
  if (!(s = Number(b, "frequency_penalty", -2, 2, &p->frequency_penalty)).ok()) return s;
  if (!(s = Number(b, "presence_penalty", -2, 2, &p->presence_penalty)).ok()) return s;
  if (!(s = Number(b, "repeat_penalty", 0.01, 10, &p->repeat_penalty)).ok()) return s;
  int64_t v = p->top_k;
  if (!(s = Integer(b, "top_k", 0, limits.n_vocab, &v, nullptr)).ok()) return s;
  p->top_k = static_cast<int>(v);
  v = p->seed;
  if (!(s = Integer(b, "seed", INT64_MIN, INT64_MAX, &v, nullptr)).ok()) return s;
  if (b.contains("seed") && !b["seed"].is_null()) p->seed = static_cast<uint32_t>(v & 0x7FFFFFFF);
  return LogitBias(b, limits.n_vocab, p);
}

}  // namespace

bool IsValidSessionId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-' || c == '@';
    if (!ok) return false;
  }
  return true;
}

Result<std::vector<engine::ChatMessage>> ParseMessages(const Json& body) { return Messages(body); }

Result<std::string> SessionField(const Json& b, const http::Request& http_req) {
  std::string session(http_req.Header("X-Session-Id"));
  if (session.empty()) {
    if (const auto u = b.find("user"); u != b.end() && !u->is_null()) {
      if (!u->is_string()) return WrongType("user", "a string");
      session = u->get<std::string>();
    }
  }
  if (!session.empty() && !IsValidSessionId(session)) {
    return Invalid("user", "(session id) must be 1-128 characters of letters, digits and ._:@-");
  }
  return session;
}

Result<std::string> ModelField(const Json& body) {
  const auto it = body.find("model");
  if (it == body.end() || it->is_null()) return std::string();
  if (!it->is_string()) return WrongType("model", "a string");
  return it->get<std::string>();
}

Result<ParsedGenerate> ParseGenerate(const Json& b, bool chat, const http::Request& http_req,
                                     const ModelLimits& limits) {
  if (!b.is_object()) {
    return MakeError(ErrorCode::kInvalidArgument, "the request body must be a JSON object",
                     "invalid_type");
  }
  ParsedGenerate out;
  auto& r = out.request;
  const auto& o = *limits.options;
  r.sampling.temperature = static_cast<float>(o.sampling.temperature);
  r.sampling.top_k = o.sampling.top_k;
  r.sampling.top_p = o.sampling.top_p;
  r.sampling.min_p = o.sampling.min_p;
  r.sampling.repeat_penalty = o.sampling.repeat_penalty;
  if (chat) {
    auto m = Messages(b);
    if (!m.ok()) return m.error();
    r.messages = std::move(*m);
  } else {
    const auto p = b.find("prompt");
    if (p == b.end()) return Invalid("prompt", "is required");
    if (p->is_array() && p->size() == 1 && (*p)[0].is_string()) {
      r.prompt = (*p)[0].get<std::string>();
    } else if (p->is_string()) {
      r.prompt = p->get<std::string>();
    } else {
      return WrongType("prompt", "a string (or an array with one string)");
    }
    if (r.prompt.empty()) return Invalid("prompt", "must not be empty");
  }
  int64_t max_tokens = 0;
  bool has_max = false;
  Status s = Integer(b, "max_tokens", 1, limits.max_tokens_cap, &max_tokens, &has_max);
  if (s.ok())
    s = Integer(b, "max_completion_tokens", 1, limits.max_tokens_cap, &max_tokens, &has_max);
  if (!s.ok()) return s.error();
  r.max_tokens = has_max ? static_cast<int>(max_tokens) : 0;
  int64_t n = 1;
  if (!(s = Integer(b, "n", 1, 1, &n, nullptr)).ok()) return s.error();
  if (!(s = Sampling(b, limits, &r.sampling)).ok()) return s.error();
  if (!(s = Stops(b, &r.stop)).ok()) return s.error();
  if (!(s = Bool(b, "stream", &out.stream)).ok()) return s.error();
  if (!(s = Bool(b, "ignore_eos", &r.ignore_eos)).ok()) return s.error();
  if (const auto so = b.find("stream_options"); so != b.end() && !so->is_null()) {
    if (!so->is_object()) return WrongType("stream_options", "an object");
    if (!(s = Bool(*so, "include_usage", &out.include_usage)).ok()) return s.error();
  }
  auto session = SessionField(b, http_req);
  if (!session.ok()) return session.error();
  r.session_id = std::move(*session);
  return out;
}

}  // namespace parley::api
