#include "dialog/entities.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdio>

#include "dialog/builtin_entities.h"

namespace parley::dialog {
namespace {

struct Lookup {
  std::string folded;  // a value or synonym as it appears after folding
  std::string value;   // the canonical value
};

bool IsAsciiWord(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

struct EntityExtractor::Impl {
  struct Custom {
    std::string name;
    std::unique_ptr<RE2> regex;   // kRegex
    std::vector<Lookup> lookups;  // kLookup, longest first
  };
  std::vector<Custom> custom;
};

EntityExtractor::EntityExtractor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EntityExtractor::~EntityExtractor() = default;

Result<std::shared_ptr<const EntityExtractor>> EntityExtractor::Build(
    const std::vector<EntitySpec>& specs, const nlp::Normalizer& normalizer) {
  auto impl = std::make_unique<Impl>();
  for (const auto& spec : specs) {
    Impl::Custom c;
    c.name = spec.name;
    if (spec.type == EntitySpec::Type::kRegex) {
      RE2::Options opts;
      opts.set_case_sensitive(false);
      opts.set_log_errors(false);
      c.regex = std::make_unique<RE2>(spec.pattern, opts);
      if (!c.regex->ok()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "entity \"" + spec.name + "\": field \"pattern\": " + c.regex->error());
      }
    } else {
      for (const auto& v : spec.values) {
        c.lookups.push_back({normalizer.Fold(v.value), v.value});
        for (const auto& syn : v.synonyms) c.lookups.push_back({normalizer.Fold(syn), v.value});
      }
      std::erase_if(c.lookups, [](const Lookup& l) { return l.folded.empty(); });
      std::sort(c.lookups.begin(), c.lookups.end(),
                [](const Lookup& a, const Lookup& b) { return a.folded.size() > b.folded.size(); });
    }
    impl->custom.push_back(std::move(c));
  }
  return std::shared_ptr<const EntityExtractor>(new EntityExtractor(std::move(impl)));
}

std::vector<Entity> EntityExtractor::Extract(std::string_view s,
                                             std::chrono::sys_days today) const {
  std::vector<Entity> found;  // in priority order
  for (const auto& c : impl_->custom) {
    if (c.regex) {
      re2::StringPiece text(s.data(), s.size()), m;
      size_t pos = 0;
      while (pos < s.size() && c.regex->Match(text, pos, s.size(), RE2::UNANCHORED, &m, 1) &&
             !m.empty()) {
        const size_t start = static_cast<size_t>(m.data() - s.data());
        found.push_back({c.name, std::string(m.data(), m.size()), std::string(m.data(), m.size()),
                         start, start + m.size()});
        pos = start + m.size();
      }
      continue;
    }
    for (const auto& l : c.lookups) {
      for (size_t pos = s.find(l.folded); pos != std::string_view::npos;
           pos = s.find(l.folded, pos + 1)) {
        const size_t end = pos + l.folded.size();
        // ASCII terms match whole words only ("red" is not in "ordered").
        if (IsAsciiWord(l.folded.front()) && pos > 0 && IsAsciiWord(s[pos - 1])) continue;
        if (IsAsciiWord(l.folded.back()) && end < s.size() && IsAsciiWord(s[end])) continue;
        found.push_back({c.name, l.value, l.folded, pos, end});
      }
    }
  }
  builtin::FindEmails(s, &found);
  builtin::FindPhones(s, &found);
  builtin::FindMoney(s, &found);
  builtin::FindDates(s, today, &found);
  builtin::FindNumbers(s, &found);

  // Longer spans first; equal length keeps the priority order above.
  std::vector<size_t> order(found.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return found[a].end - found[a].start > found[b].end - found[b].start;
  });
  std::vector<Entity> kept;
  for (size_t i : order) {
    const Entity& e = found[i];
    bool overlaps = false;
    for (const auto& k : kept) overlaps |= e.start < k.end && e.end > k.start;
    if (!overlaps) kept.push_back(e);
  }
  std::sort(kept.begin(), kept.end(),
            [](const Entity& a, const Entity& b) { return a.start < b.start; });
  return kept;
}

std::optional<double> ParseChineseNumber(std::string_view s) {
  static const std::pair<std::string_view, int> kDigits[] = {
      {"零", 0}, {"一", 1}, {"二", 2}, {"两", 2}, {"三", 3}, {"四", 4},
      {"五", 5}, {"六", 6}, {"七", 7}, {"八", 8}, {"九", 9}};
  static const std::pair<std::string_view, int> kUnits[] = {
      {"十", 10}, {"百", 100}, {"千", 1000}, {"万", 10000}};
  if (s.empty() || s == "一") return std::nullopt;  // "一" is mostly "a"/"once" in Chinese
  double total = 0, section = 0, digit = -1;
  while (!s.empty()) {
    bool matched = false;
    for (auto [t, v] : kDigits) {
      if (s.rfind(t, 0) == 0) {
        digit = v, s.remove_prefix(t.size()), matched = true;
        break;
      }
    }
    if (matched) continue;
    for (auto [t, v] : kUnits) {
      if (s.rfind(t, 0) != 0) continue;
      const double d = digit < 0 ? 1 : digit;  // "十二" = 12
      if (v == 10000) {
        total = (total + section + std::max(0.0, digit)) * v;
        section = 0;
      } else {
        section += d * v;
      }
      digit = -1, s.remove_prefix(t.size()), matched = true;
      break;
    }
    if (!matched) return std::nullopt;
  }
  return total + section + std::max(0.0, digit);
}

std::string FormatDate(std::chrono::sys_days d) {
  const std::chrono::year_month_day ymd(d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace parley::dialog
