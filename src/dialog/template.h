// Response templates: "{slot}" placeholders filled from the turn's variables (slots, emotion,
// channel...), "{{" and "}}" for literal braces, and conditions that pick among variants.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/flow.h"

namespace parley::dialog {

using Vars = std::map<std::string, std::string>;

// Parses "name", "!name", "name == value", "name != value"; nullopt with *error on bad syntax.
std::optional<Condition> ParseCondition(std::string_view text, std::string* error);
bool Holds(const Condition& c, const Vars& vars);

// Placeholder names used in a template; *error set on an unclosed or empty brace.
std::vector<std::string> TemplateVars(std::string_view tmpl, std::string* error);
// Missing variables render as "".
std::string Render(std::string_view tmpl, const Vars& vars);

// Among the variants whose conditions hold, one chosen by `seed`; nullptr when none holds.
// Variants with conditions win over unconditional ones, so "emotion == sadness" can override.
const ResponseVariant* Choose(const std::vector<ResponseVariant>& variants, const Vars& vars,
                              uint64_t seed);

}  // namespace parley::dialog
