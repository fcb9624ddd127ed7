// The configuration schema: every key of parley.yaml with its type, default, limits and
// documentation, and how a checked value is stored into Config. One table drives defaults,
// validation, environment overrides and docs/config.md, so they cannot drift apart.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"

namespace parley::config {

enum class Kind { kString, kInt, kNumber, kBool, kDuration, kSize, kList, kEnum, kListen, kPath };

// A value after parsing, before it is stored.
struct Value {
  std::string text;    // strings, enums, paths, listen addresses
  int64_t number = 0;  // ints, sizes (bytes), durations (milliseconds)
  double real = 0;     // numbers
  bool flag = false;
  std::vector<std::string> items;  // lists
};

struct Field {
  std::string section;
  std::string key;
  Kind kind;
  std::string default_text;  // as a user would write it in YAML
  std::string doc;
  int64_t min = 0;
  int64_t max = INT64_MAX;  // for kNumber: the range is [min, max] unless check says otherwise
  std::vector<std::string> choices;  // for kEnum
  std::function<void(Config&, const Value&)> store;
  // Extra check on the parsed value; returns an error message ("" = fine).
  std::function<std::string(const Value&)> check;
  std::string expected;  // overrides Expected()'s wording for this field, e.g. "a list of paths"
};

// The security sections (schema_security.cc).
void AddSecurityFields(std::vector<Field>& fields);

const std::vector<Field>& Schema();
// Sections that are lists of mappings (e.g. `models:`); their fields describe one item and
// their environment prefix is the singular (PARLEY_MODEL_<KEY> applies to the first item).
bool IsListSection(const std::string& section);
std::string EnvPrefix(const std::string& section);
void AddModelFields(std::vector<Field>& fields);
std::vector<std::string> Sections();
const Field* FindField(const std::string& section, const std::string& key);

// Parses one scalar (or, for lists, comma-separated text) into a Value. On failure returns
// nullopt and sets *error to what was expected, e.g. "a duration such as 500ms, 15s or 2m".
std::optional<Value> ParseScalar(const Field& field, const std::string& text, std::string* error);
std::string Expected(const Field& field);

// docs/config.md, generated from the schema.
std::string RenderMarkdown();

// The dialog section's fields (schema_dialog.cc), appended by the schema builder.
void AddDialogFields(std::vector<Field>& fields);
// The knowledge section's fields (schema_knowledge.cc).
void AddKnowledgeFields(std::vector<Field>& fields);

}  // namespace parley::config
