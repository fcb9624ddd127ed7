// Entity extraction: regex entities from the flow (RE2, linear time, so no pattern can
// backtrack catastrophically), lookup lists with synonyms, and built-ins: number, money
// (¥/元/$ forms), date (今天/明天/11月3日/next Monday... resolved to ISO dates against a given
// day), phone (Chinese mobile numbers) and email. Immutable after Build(); thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dialog/flow.h"
#include "nlp/normalizer.h"
#include "util/result.h"

namespace parley::dialog {

struct Entity {
  std::string type;   // "date", "money", "order_id" (a flow entity)...
  std::string value;  // canonical: "2026-11-03", "100 CNY", lookup value, digits of a phone
  std::string text;   // as it appeared in the folded message
  size_t start = 0;   // byte offsets into the folded message
  size_t end = 0;
};

class EntityExtractor {
 public:
  // Compiles the flow's regexes and folds lookup synonyms; errors name the entity.
  static Result<std::shared_ptr<const EntityExtractor>> Build(const std::vector<EntitySpec>& specs,
                                                              const nlp::Normalizer& normalizer);
  ~EntityExtractor();

  // `folded`: Normalizer::Fold of the message. Overlapping matches: the longer one wins, then
  // the earlier-declared type (flow entities before built-ins, numbers last).
  std::vector<Entity> Extract(std::string_view folded, std::chrono::sys_days today) const;

 private:
  struct Impl;
  explicit EntityExtractor(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Parses "三百五十", "两千", "十二" (and plain digits) into a number; nullopt otherwise.
std::optional<double> ParseChineseNumber(std::string_view s);
std::string FormatDate(std::chrono::sys_days d);

}  // namespace parley::dialog
