#include "config/schema.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "util/ip.h"
#include "util/text.h"

namespace parley::config {
namespace {

// Splits "host:port" / "[v6]:port"; returns false when malformed.
bool SplitListen(const std::string& s, std::string* host, int64_t* port) {
  std::string h, p;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') return false;
    h = s.substr(1, close - 1);
    p = s.substr(close + 2);
  } else {
    const auto colon = s.rfind(':');
    if (colon == std::string::npos || s.find(':') != colon) return false;
    h = s.substr(0, colon);
    p = s.substr(colon + 1);
  }
  const auto n = text::ParseInt(p);
  if (h.empty() || !n || *n < 0 || *n > 65535 || !ip::ParseAddress(h)) return false;
  *host = h;
  *port = *n;
  return true;
}

std::optional<int64_t> ParseDurationMs(std::string_view s) {
  static const std::pair<std::string_view, double> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
  for (const auto& [suffix, scale] : kUnits) {
    if (s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix) {
      const auto num = s.substr(0, s.size() - suffix.size());
      // "ms" must not be read as "m" + "s" garbage; digits and one dot only.
      if (num.find_first_not_of("0123456789.") != std::string_view::npos) continue;
      const auto v = text::ParseDouble(num);
      if (!v || *v < 0) return std::nullopt;
      return static_cast<int64_t>(std::llround(*v * scale));
    }
  }
  const auto secs = text::ParseInt(s);
  if (!secs || *secs < 0) return std::nullopt;
  return *secs * 1000;
}

std::optional<int64_t> ParseSizeBytes(std::string_view s) {
  static const std::pair<std::string_view, int64_t> kUnits[] = {
      {"KiB", 1024}, {"MiB", 1024 * 1024}, {"GiB", 1024LL * 1024 * 1024},
      {"KB", 1000},  {"MB", 1000 * 1000},  {"GB", 1000LL * 1000 * 1000},
      {"B", 1}};
  for (const auto& [suffix, scale] : kUnits) {
    if (s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix) {
      const auto v = text::ParseInt(text::Trim(s.substr(0, s.size() - suffix.size())));
      if (!v || *v < 0 || *v > INT64_MAX / scale) return std::nullopt;
      return *v * scale;
    }
  }
  const auto v = text::ParseInt(s);
  if (!v || *v < 0) return std::nullopt;
  return *v;
}

std::string CheckCidrs(const Value& v) {
  for (const auto& item : v.items) {
    if (!ip::ParseCidr(item)) return "'" + item + "' is not an IP address or CIDR range";
  }
  return {};
}

std::string CheckRoutePath(const Value& v) {
  if (v.text.empty() || v.text.front() != '/') return "expected a path starting with '/'";
  return {};
}

std::vector<Field> BuildSchema() {
  using K = Kind;
  std::vector<Field> f;
  auto add = [&f](Field x) { f.push_back(std::move(x)); };
  const int64_t kDay = 86400000;

  // server
  add({"server",
       "listen",
       K::kListen,
       "127.0.0.1:18789",
       "Address and port to listen on (`host:port`, `[v6]:port`). Port 0 picks a free port "
       "(see `port_file`).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) {
         c.server.listen = v.text;
         int64_t port = 0;
         SplitListen(v.text, &c.server.host, &port);
         c.server.port = static_cast<uint16_t>(port);
       }});
  add({"server",
       "io_threads",
       K::kInt,
       "0",
       "I/O threads serving HTTP; 0 means one per CPU core.",
       0,
       256,
       {},
       [](Config& c, const Value& v) { c.server.io_threads = static_cast<int>(v.number); }});
  add({"server",
       "header_timeout",
       K::kDuration,
       "15s",
       "Time a client has to send a complete request header, including the idle wait on a "
       "kept-alive connection. Slow clients are disconnected.",
       100,
       kDay,
       {},
       [](Config& c, const Value& v) { c.server.header_timeout = Millis(v.number); }});
  add({"server",
       "body_timeout",
       K::kDuration,
       "60s",
       "Time a client has to send the request body.",
       100,
       kDay,
       {},
       [](Config& c, const Value& v) { c.server.body_timeout = Millis(v.number); }});
  add({"server",
       "write_timeout",
       K::kDuration,
       "60s",
       "Time allowed for writing a response to the client.",
       100,
       kDay,
       {},
       [](Config& c, const Value& v) { c.server.write_timeout = Millis(v.number); }});
  add({"server",
       "shutdown_grace",
       K::kDuration,
       "10s",
       "On SIGTERM/SIGINT, how long in-flight requests may take to finish before exit.",
       0,
       kDay,
       {},
       [](Config& c, const Value& v) { c.server.shutdown_grace = Millis(v.number); }});
  add({"server",
       "max_header_bytes",
       K::kSize,
       "16KiB",
       "Largest request header section (request line and fields); larger gets 431.",
       1024,
       1 << 20,
       {},
       [](Config& c, const Value& v) { c.server.max_header_bytes = v.number; }});
  add({"server",
       "max_header_count",
       K::kInt,
       "100",
       "Most header fields in one request; more gets 431.",
       8,
       10000,
       {},
       [](Config& c, const Value& v) { c.server.max_header_count = v.number; }});
  add({"server",
       "max_body_bytes",
       K::kSize,
       "1MiB",
       "Largest request body; a larger Content-Length gets 413 before the body is read.",
       1024,
       1LL << 32,
       {},
       [](Config& c, const Value& v) { c.server.max_body_bytes = v.number; }});
  add({"server",
       "max_json_depth",
       K::kInt,
       "64",
       "Deepest nesting of arrays/objects accepted in a JSON body; deeper gets 400.",
       2,
       1024,
       {},
       [](Config& c, const Value& v) { c.server.max_json_depth = v.number; }});
  add({"server",
       "max_connections",
       K::kInt,
       "10000",
       "Most client connections open at once; further connections are closed at once.",
       1,
       1000000,
       {},
       [](Config& c, const Value& v) { c.server.max_connections = v.number; }});
  add({"server",
       "trusted_proxies",
       K::kList,
       "[127.0.0.1/32, ::1/128]",
       "Peers (IP addresses or CIDR ranges) trusted to supply `X-Request-Id` (and forwarding "
       "headers). Others get a fresh request id.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.server.trusted_proxies = v.items; },
       CheckCidrs});
  add({"server",
       "port_file",
       K::kPath,
       "",
       "If set, the bound port is written to this file once listening (useful with port 0).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.server.port_file = v.text; }});

  // log
  add({"log",
       "level",
       K::kEnum,
       "info",
       "Least severe level written.",
       0,
       INT64_MAX,
       {"debug", "info", "warn", "error"},
       [](Config& c, const Value& v) { c.log.level = v.text; }});
  add({"log",
       "access",
       K::kBool,
       "true",
       "Write one line per HTTP request (at level info).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.log.access = v.flag; }});
  add({"log",
       "stdout",
       K::kBool,
       "true",
       "Write log lines to standard output.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.log.to_stdout = v.flag; }});
  add({"log",
       "file",
       K::kPath,
       "",
       "Also append log lines to this file (empty: no file).",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.log.file = v.text; }});
  add({"log",
       "file_max_bytes",
       K::kSize,
       "10MiB",
       "Rotate the log file when it would grow past this size.",
       4096,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.log.file_max_bytes = v.number; }});
  add({"log",
       "file_keep",
       K::kInt,
       "5",
       "Rotated files kept (`FILE.1` is the newest); older ones are deleted.",
       0,
       100,
       {},
       [](Config& c, const Value& v) { c.log.file_keep = v.number; }});

  // metrics
  add({"metrics",
       "enabled",
       K::kBool,
       "true",
       "Serve Prometheus metrics.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.metrics.enabled = v.flag; }});
  add({"metrics",
       "path",
       K::kString,
       "/metrics",
       "Path of the Prometheus endpoint.",
       0,
       INT64_MAX,
       {},
       [](Config& c, const Value& v) { c.metrics.path = v.text; },
       CheckRoutePath});
  AddModelFields(f);
  AddDialogFields(f);
  AddKnowledgeFields(f);
  AddSecurityFields(f);
  return f;
}

}  // namespace

bool IsListSection(const std::string& section) { return section == "models"; }

std::string EnvPrefix(const std::string& section) {
  return IsListSection(section) ? section.substr(0, section.size() - 1) : section;
}

const std::vector<Field>& Schema() {
  static const std::vector<Field> schema = BuildSchema();
  return schema;
}

std::vector<std::string> Sections() {
  std::vector<std::string> out;
  for (const auto& f : Schema()) {
    if (std::find(out.begin(), out.end(), f.section) == out.end()) out.push_back(f.section);
  }
  return out;
}

const Field* FindField(const std::string& section, const std::string& key) {
  for (const auto& f : Schema()) {
    if (f.section == section && f.key == key) return &f;
  }
  return nullptr;
}

std::string Expected(const Field& f) {
  if (!f.expected.empty()) return f.expected;
  switch (f.kind) {
    case Kind::kString:
      return "a string";
    case Kind::kPath:
      return "a file path";
    case Kind::kInt:
      return "an integer from " + std::to_string(f.min) + " to " + std::to_string(f.max);
    case Kind::kNumber:
      return "a number from " + std::to_string(f.min) + " to " + std::to_string(f.max);
    case Kind::kBool:
      return "true or false";
    case Kind::kDuration:
      return "a duration such as 500ms, 15s, 2m or 1h";
    case Kind::kSize:
      return "a size such as 65536, 64KiB or 1MiB";
    case Kind::kList:
      return "a list of IP addresses or CIDR ranges";
    case Kind::kEnum:
      return "one of: " + text::Join(f.choices, ", ");
    case Kind::kListen:
      return "host:port with an IP address, e.g. 127.0.0.1:18789 or [::1]:18789";
  }
  return "a value";
}

std::optional<Value> ParseScalar(const Field& f, const std::string& raw, std::string* error) {
  Value v;
  const std::string s(text::Trim(raw));
  const auto fail = [&](std::string why = {}) -> std::optional<Value> {
    *error = why.empty() ? "expected " + Expected(f) + ", got '" + s + "'" : why;
    return std::nullopt;
  };
  switch (f.kind) {
    case Kind::kString:
    case Kind::kPath:
      v.text = s;
      break;
    case Kind::kEnum:
      if (std::find(f.choices.begin(), f.choices.end(), s) == f.choices.end()) return fail();
      v.text = s;
      break;
    case Kind::kListen: {
      std::string host;
      int64_t port;
      if (!SplitListen(s, &host, &port)) return fail();
      v.text = s;
      break;
    }
    case Kind::kBool:
      if (s == "true" || s == "yes" || s == "on" || s == "1") {
        v.flag = true;
      } else if (s == "false" || s == "no" || s == "off" || s == "0") {
        v.flag = false;
      } else {
        return fail();
      }
      break;
    case Kind::kInt: {
      const auto n = text::ParseInt(s);
      if (!n) return fail();
      v.number = *n;
      break;
    }
    case Kind::kNumber: {
      const auto d = text::ParseDouble(s);
      if (!d || std::isnan(*d) || *d < static_cast<double>(f.min) ||
          *d > static_cast<double>(f.max)) {
        return fail();
      }
      v.real = *d;
      break;
    }
    case Kind::kDuration: {
      const auto n = ParseDurationMs(s);
      if (!n) return fail();
      v.number = *n;
      break;
    }
    case Kind::kSize: {
      const auto n = ParseSizeBytes(s);
      if (!n) return fail();
      v.number = *n;
      break;
    }
    case Kind::kList: {
      std::string_view rest = s;
      if (rest.size() >= 2 && rest.front() == '[' && rest.back() == ']') {
        rest = rest.substr(1, rest.size() - 2);
      }
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto item = text::Trim(rest.substr(0, comma));
        if (!item.empty()) v.items.emplace_back(item);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
      }
      break;
    }
  }
  if (f.kind == Kind::kInt || f.kind == Kind::kSize || f.kind == Kind::kDuration) {
    if (v.number < f.min || v.number > f.max) {
      return fail("got '" + s + "', out of range: expected " + Expected(f) + " between " +
                  std::to_string(f.min) + " and " + std::to_string(f.max) +
                  (f.kind == Kind::kSize       ? " bytes"
                   : f.kind == Kind::kDuration ? " ms"
                                               : ""));
    }
  }
  if (f.check) {
    if (auto why = f.check(v); !why.empty()) return fail(why);
  }
  return v;
}

std::string RenderMarkdown() {
  std::string out =
      "# Configuration reference\n\n"
      "<!-- Generated by `parley config docs` from src/config/schema.cc; a test keeps it in "
      "sync. -->\n\n"
      "Parley reads one YAML file, `parley.yaml`: `parley serve --config FILE`, else the file "
      "named by `PARLEY_CONFIG`, else `./parley.yaml` when it exists, else the defaults below.\n\n"
      "- Every key is optional; a missing key takes its default. Unknown sections and keys are "
      "errors, reported with the line they are on.\n"
      "- Any key can be overridden by an environment variable `PARLEY_<SECTION>_<KEY>` in upper "
      "case, e.g. `PARLEY_SERVER_LISTEN=0.0.0.0:8080` or `PARLEY_LOG_LEVEL=debug`; lists are "
      "comma-separated. Environment values win over the file; command-line flags such as "
      "`--listen` win over both.\n"
      "- Durations: `500ms`, `15s`, `2m`, `1h` (a bare number is seconds). Sizes: bytes, or "
      "`KiB`/`MiB`/`GiB` (1024-based) and `KB`/`MB`/`GB` (1000-based).\n"
      "- `parley config check FILE` validates a file (and the environment) and exits 0, or 78 "
      "(EX_CONFIG) with one message per problem naming the key, the line and what was "
      "expected.\n";
  for (const auto& section : Sections()) {
    out += "\n## `" + section + "`\n\n";
    if (IsListSection(section)) {
      std::string env = EnvPrefix(section);
      for (char& c : env) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out +=
          "A list; each item is a mapping with the keys below. The first item is the default "
          "model; `parley serve --model FILE.gguf` sets its `path`. `PARLEY_" +
          env + "_<KEY>` environment overrides apply to the first item.\n\n";
    }
    out += "| key | default | type | description |\n|---|---|---|---|\n";
    for (const auto& f : Schema()) {
      if (f.section != section) continue;
      std::string type = Expected(f);
      out += "| `" + f.section + "." + f.key + "` | " +
             (f.default_text.empty() ? std::string("(empty)") : "`" + f.default_text + "`") +
             " | " + type + " | " + f.doc + " |\n";
    }
  }
  return out;
}

}  // namespace parley::config
