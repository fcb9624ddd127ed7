#include "dialog/builtin_entities.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <initializer_list>

#include "util/text.h"

namespace parley::dialog::builtin {
namespace {

using Groups = std::array<re2::StringPiece, 6>;
using std::chrono::days;
using std::chrono::sys_days;

// Calls `f` for each non-overlapping match, with the whole match and up to 5 groups.
void ForEach(const RE2& re, std::string_view s, const std::function<void(const Groups&)>& f) {
  Groups g;
  const int n = std::min(re.NumberOfCapturingGroups() + 1, static_cast<int>(g.size()));
  size_t pos = 0;
  const re2::StringPiece text(s.data(), s.size());
  while (pos <= s.size() && re.Match(text, pos, s.size(), RE2::UNANCHORED, g.data(), n)) {
    if (g[0].empty()) {
      ++pos;
      continue;
    }
    f(g);
    pos = static_cast<size_t>(g[0].data() - s.data()) + g[0].size();
  }
}

Entity Make(std::string_view s, const re2::StringPiece& whole, std::string type,
            std::string value) {
  const size_t start = static_cast<size_t>(whole.data() - s.data());
  return {std::move(type), std::move(value), std::string(whole.data(), whole.size()), start,
          start + whole.size()};
}

bool DigitAt(std::string_view s, size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }

// Most messages hold no digit, '@' or date word: checking for one first spares the finders
// whose every pattern needs it a regex scan each (RE2's \d is ASCII only).
bool HasDigit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool HasAny(std::string_view s, std::initializer_list<std::string_view> parts) {
  return std::any_of(parts.begin(), parts.end(),
                     [&](std::string_view p) { return s.find(p) != std::string_view::npos; });
}

std::string Str(const re2::StringPiece& p) { return std::string(p.data(), p.size()); }

std::string FormatAmount(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

int WeekdayIndex(std::string_view w) {  // Monday = 1 ... Sunday = 7
  static const std::array<std::string_view, 7> kEn = {"mon", "tue", "wed", "thu",
                                                      "fri", "sat", "sun"};
  static const std::array<std::string_view, 8> kZh = {"一", "二", "三", "四",
                                                      "五", "六", "日", "天"};
  for (size_t i = 0; i < kEn.size(); ++i) {
    if (w.substr(0, 3) == kEn[i]) return static_cast<int>(i) + 1;
  }
  for (size_t i = 0; i < kZh.size(); ++i) {
    if (w == kZh[i]) return std::min<int>(static_cast<int>(i) + 1, 7);
  }
  return 0;
}

int IsoWeekday(sys_days d) {
  const unsigned wd = std::chrono::weekday(d).c_encoding();  // Sunday = 0
  return wd == 0 ? 7 : static_cast<int>(wd);
}

// "next monday"/"下周一": the given weekday of next week; "this"/"这周": of this week;
// "last"/"上周": of last week; a bare weekday: its next occurrence (today counts).
sys_days ResolveWeekday(sys_days today, int target, std::string_view which) {
  const sys_days monday = today - days(IsoWeekday(today) - 1);
  if (which == "next" || which == "下") return monday + days(7 + target - 1);
  if (which == "last" || which == "上") return monday - days(7 - (target - 1));
  if (which == "this" || which == "这" || which == "本") return monday + days(target - 1);
  const int ahead = (target - IsoWeekday(today) + 7) % 7;
  return today + days(ahead);
}

std::optional<sys_days> MakeDate(int y, int m, int d) {
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                        std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd);
}

int YearOf(sys_days d) { return static_cast<int>(std::chrono::year_month_day(d).year()); }

int MonthIndex(std::string_view m) {
  static const std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (m.substr(0, 3) == kMonths[i]) return static_cast<int>(i) + 1;
  }
  return 0;
}

}  // namespace

void FindEmails(std::string_view s, std::vector<Entity>* out) {
  if (s.find('@') == std::string_view::npos) return;
  static const RE2 re(R"(([a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}))");
  ForEach(re, s, [&](const Groups& g) { out->push_back(Make(s, g[0], "email", Str(g[0]))); });
}

void FindPhones(std::string_view s, std::vector<Entity>* out) {
  if (!HasDigit(s)) return;
  static const RE2 re(R"((?:\+?86[\- ]?)?(1[3-9]\d)[\- ]?(\d{4})[\- ]?(\d{4}))");
  ForEach(re, s, [&](const Groups& g) {
    const size_t start = static_cast<size_t>(g[0].data() - s.data());
    if ((start > 0 && DigitAt(s, start - 1)) || DigitAt(s, start + g[0].size())) return;
    out->push_back(Make(s, g[0], "phone", Str(g[1]) + Str(g[2]) + Str(g[3])));
  });
}

void FindMoney(std::string_view s, std::vector<Entity>* out) {
  if (!HasDigit(s)) return;
  static const RE2 prefix(R"((¥|\$|rmb|usd|cny|us\$)\s?(\d+(?:\.\d+)?))");
  static const RE2 suffix(
      R"((\d+(?:\.\d+)?)\s?(元|块钱|块|人民币|美元|美金|dollars?|bucks|usd|yuan|rmb|cny))");
  auto currency = [](std::string_view unit) {
    return unit == "$" || unit == "usd" || unit == "us$" || unit == "美元" || unit == "美金" ||
                   unit.rfind("dollar", 0) == 0 || unit == "bucks"
               ? "USD"
               : "CNY";
  };
  ForEach(prefix, s, [&](const Groups& g) {
    const double v = text::ParseDouble(Str(g[2])).value_or(0);
    out->push_back(Make(s, g[0], "money", FormatAmount(v) + " " + currency(Str(g[1]))));
  });
  ForEach(suffix, s, [&](const Groups& g) {
    const double v = text::ParseDouble(Str(g[1])).value_or(0);
    out->push_back(Make(s, g[0], "money", FormatAmount(v) + " " + currency(Str(g[2]))));
  });
}

void FindDates(std::string_view s, sys_days today, std::vector<Entity>* out) {
  auto add = [&](const re2::StringPiece& whole, std::optional<sys_days> d) {
    if (d) out->push_back(Make(s, whole, "date", FormatDate(*d)));
  };
  const bool digits = HasDigit(s);
  static const RE2 full(
      R"((\d{4})\s?(?:年|-|/|\.)\s?(\d{1,2})\s?(?:月|-|/|\.)\s?(\d{1,2})\s?(?:日|号)?)");
  static const RE2 md(R"((\d{1,2})\s?月\s?(\d{1,2})\s?(?:日|号))");
  if (digits) {
    ForEach(full, s, [&](const Groups& g) {
      add(g[0], MakeDate(std::stoi(Str(g[1])), std::stoi(Str(g[2])), std::stoi(Str(g[3]))));
    });
    ForEach(md, s, [&](const Groups& g) {
      add(g[0], MakeDate(YearOf(today), std::stoi(Str(g[1])), std::stoi(Str(g[2]))));
    });
  }
  static const RE2 en_md(
      R"(\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s(\d{1,2})(?:st|nd|rd|th)?\b)");
  ForEach(en_md, s, [&](const Groups& g) {
    add(g[0], MakeDate(YearOf(today), MonthIndex(Str(g[1])), std::stoi(Str(g[2]))));
  });
  static const RE2 rel(
      R"((大后天|后天|明天|今天|昨天|前天|day after tomorrow|tomorrow|today|yesterday))");
  if (HasAny(s, {"天", "day", "tomorrow"})) {
    ForEach(rel, s, [&](const Groups& g) {
      const std::string w = Str(g[1]);
      const int offset = w == "大后天"                                ? 3
                         : (w == "后天" || w == "day after tomorrow") ? 2
                         : (w == "明天" || w == "tomorrow")           ? 1
                         : (w == "今天" || w == "today")              ? 0
                         : (w == "昨天" || w == "yesterday")          ? -1
                                                                      : -2;
      add(g[0], today + days(offset));
    });
  }
  static const RE2 zh_wd(R"((下|上|这|本)?个?(?:周|星期|礼拜)([一二三四五六日天]))");
  if (HasAny(s, {"周", "星期", "礼拜"})) {
    ForEach(zh_wd, s, [&](const Groups& g) {
      add(g[0], ResolveWeekday(today, WeekdayIndex(Str(g[2])), Str(g[1])));
    });
  }
  static const RE2 en_wd(
      R"(\b(?:(next|this|last|on)\s)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b)");
  ForEach(en_wd, s, [&](const Groups& g) {
    add(g[0], ResolveWeekday(today, WeekdayIndex(Str(g[2])), Str(g[1])));
  });
}

void FindNumbers(std::string_view s, std::vector<Entity>* out) {
  static const RE2 digits(R"((\d+(?:\.\d+)?))");
  if (HasDigit(s)) {
    ForEach(digits, s,
            [&](const Groups& g) { out->push_back(Make(s, g[0], "number", Str(g[1]))); });
  }
  static const RE2 zh(R"(([零一二两三四五六七八九十百千万]+))");
  ForEach(zh, s, [&](const Groups& g) {
    if (auto v = ParseChineseNumber(Str(g[1]))) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", *v);
      out->push_back(Make(s, g[0], "number", buf));
    }
  });
}

}  // namespace parley::dialog::builtin
