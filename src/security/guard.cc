#include "security/guard.h"

#include <re2/re2.h>

#include <algorithm>

#include "security/pii.h"

namespace parley::security {
namespace {

size_t CountCodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

void Raise(GuardResult& r, Verdict v) {
  if (static_cast<int>(v) > static_cast<int>(r.verdict)) r.verdict = v;
}

struct Span {
  size_t begin, end;
};

// Replaces (or, with an empty replacement, removes) non-overlapping sorted spans.
std::string Replace(std::string_view text, std::vector<Span> spans, std::string_view with) {
  std::sort(spans.begin(), spans.end(),
            [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::string out;
  size_t pos = 0;
  for (const auto& s : spans) {
    if (s.begin < pos) continue;
    out.append(text.substr(pos, s.begin - pos));
    out.append(with);
    pos = s.end;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kAllow:
      return "allow";
    case Verdict::kModified:
      return "modified";
    case Verdict::kFlagged:
      return "flagged";
    case Verdict::kBlock:
      return "block";
  }
  return "allow";
}

Result<std::unique_ptr<ContentGuard>> ContentGuard::Create(GuardOptions options) {
  std::unique_ptr<ContentGuard> g(new ContentGuard(std::move(options)));
  g->words_.Build(g->opt_.words);
  RE2::Options o;
  o.set_never_capture(true);
  o.set_log_errors(false);
  o.set_max_mem(8 << 20);
  for (size_t i = 0; i < g->opt_.regex.size(); ++i) {
    auto re = std::make_unique<RE2>(g->opt_.regex[i], o);
    if (!re->ok()) {
      return MakeError(ErrorCode::kInvalidArgument, "guard regex #" + std::to_string(i + 1) + " '" +
                                                        g->opt_.regex[i] + "': " + re->error());
    }
    g->regex_.push_back(std::move(re));
  }
  return g;
}

ContentGuard::ContentGuard(GuardOptions o) : opt_(std::move(o)) {}
ContentGuard::~ContentGuard() = default;

void ContentGuard::ApplyWords(std::string& text, GuardResult& r) const {
  const auto matches = words_.FindAll(text);
  if (matches.empty()) return;
  r.findings.push_back("word");
  if (opt_.words_action == RuleAction::kBlock) return Raise(r, Verdict::kBlock);
  std::vector<Span> spans;
  for (const auto& m : matches) spans.push_back({m.begin, m.end});
  text = Replace(text, spans, opt_.mask);
  Raise(r, Verdict::kModified);
}

void ContentGuard::ApplyRegex(std::string& text, GuardResult& r) const {
  for (size_t i = 0; i < regex_.size(); ++i) {
    std::vector<Span> spans;
    re2::StringPiece input(text), m;
    size_t pos = 0;
    while (pos <= text.size() &&
           regex_[i]->Match(input, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
      const size_t b = static_cast<size_t>(m.data() - text.data());
      spans.push_back({b, b + m.size()});
      pos = b + std::max<size_t>(m.size(), 1);
    }
    if (spans.empty()) continue;
    r.findings.push_back("regex:" + std::to_string(i));
    if (opt_.regex_action == RuleAction::kBlock) {
      Raise(r, Verdict::kBlock);
      continue;
    }
    text = Replace(text, spans, opt_.mask);
    Raise(r, Verdict::kModified);
  }
}

GuardResult ContentGuard::CheckInput(std::string_view input) const {
  GuardResult r;
  r.text = std::string(input);
  if (opt_.max_input_chars > 0 && CountCodePoints(input) > opt_.max_input_chars) {
    r.findings.push_back("length");
    r.verdict = Verdict::kBlock;
    return r;
  }
  if (opt_.injection != InjectionAction::kOff) {
    const auto hits = injection_.Find(r.text);
    for (const auto& h : hits) {
      const std::string f = "injection:" + h.kind;
      if (std::find(r.findings.begin(), r.findings.end(), f) == r.findings.end()) {
        r.findings.push_back(f);
      }
    }
    if (!hits.empty()) {
      if (opt_.injection == InjectionAction::kBlock) {
        Raise(r, Verdict::kBlock);
      } else if (opt_.injection == InjectionAction::kFlag) {
        Raise(r, Verdict::kFlagged);
      } else {
        std::vector<Span> spans;
        for (const auto& h : hits) spans.push_back({h.begin, h.end});
        r.text = Replace(r.text, spans, "");
        Raise(r, Verdict::kModified);
      }
    }
  }
  ApplyWords(r.text, r);
  ApplyRegex(r.text, r);
  return r;
}

GuardResult ContentGuard::CheckOutput(std::string_view output) const {
  GuardResult r;
  r.text = std::string(output);
  if (opt_.output_words) ApplyWords(r.text, r);
  ApplyRegex(r.text, r);
  if (opt_.output_pii && r.verdict != Verdict::kBlock) {
    std::string masked = MaskPii(r.text);
    if (masked != r.text) {
      r.findings.push_back("pii");
      r.text = std::move(masked);
      Raise(r, Verdict::kModified);
    }
  }
  if (r.verdict == Verdict::kBlock) r.text = opt_.blocked_reply;
  return r;
}

std::string StreamGuard::Write(std::string_view chunk) {
  if (blocked_) return {};
  pending_.append(chunk);
  const auto& opt = guard_->options();
  const auto& words = guard_->words();
  size_t hold = opt.output_pii ? PiiHoldback(pending_) : 0;
  if (opt.output_words && !words.empty()) {
    AhoCorasick::State s = 0;
    for (unsigned char c : pending_) s = words.Step(s, c);
    hold = std::max<size_t>(hold, words.Depth(s));
  }
  size_t cut = pending_.size() - std::min(hold, pending_.size());
  for (int back = 0; back < 3 && cut > 0 && cut < pending_.size() &&
                     (static_cast<unsigned char>(pending_[cut]) & 0xC0) == 0x80;
       ++back) {
    --cut;  // not inside a UTF-8 character
  }
  // Never cut through a complete match; move the cut to its start.
  if (opt.output_words) {
    for (const auto& m : words.FindAll(pending_)) {
      if (m.begin < cut && cut < m.end) cut = m.begin;
    }
  }
  if (opt.output_pii) {
    for (const auto& sp : FindPii(pending_)) {
      if (sp.begin < cut && cut < sp.end) cut = sp.begin;
    }
  }
  return Release(cut);
}

std::string StreamGuard::Finish() {
  if (blocked_) return {};
  return Release(pending_.size());
}

std::string StreamGuard::Release(size_t upto) {
  if (upto == 0) return {};
  std::string text = pending_.substr(0, upto);
  pending_.erase(0, upto);
  const auto& opt = guard_->options();
  const auto& words = guard_->words();
  if (opt.output_words && !words.empty()) {
    const auto matches = words.FindAll(text);
    if (!matches.empty()) {
      findings_.push_back("word");
      if (opt.words_action == RuleAction::kBlock) {
        blocked_ = true;
        pending_.clear();
        return opt.blocked_reply;
      }
      std::vector<Span> spans;
      for (const auto& m : matches) spans.push_back({m.begin, m.end});
      text = Replace(text, spans, opt.mask);
    }
  }
  if (opt.output_pii) {
    std::string masked = MaskPii(text);
    if (masked != text) findings_.push_back("pii");
    text = std::move(masked);
  }
  return text;
}

}  // namespace parley::security
