#include "knowledge/chunker.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>

#include "util/text.h"

namespace parley::knowledge {
namespace {

bool IsHan(UChar32 c) { return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF); }

struct Unit {
  std::string text;
  int tokens = 0;
};

// Splits a unit that is longer than `max` tokens at sentence ends, then (for one endless
// sentence) at about `max` tokens' worth of bytes on a character boundary.
std::vector<Unit> SplitUnit(const std::string& text, int max, const TokenCounter& count) {
  std::vector<Unit> out;
  for (auto& s : SplitSentences(text)) {
    const int t = count(s);
    if (t <= max) {
      out.push_back({std::move(s), t});
      continue;
    }
    const size_t step = std::max<size_t>(16, s.size() * max / t);
    for (size_t i = 0; i < s.size();) {
      size_t end = std::min(s.size(), i + step);
      while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) ++end;
      std::string piece = s.substr(i, end - i);
      const int pt = count(piece);
      out.push_back({std::move(piece), pt});
      i = end;
    }
  }
  return out;
}

class Packer {
 public:
  Packer(const ChunkOptions& o, std::vector<Chunk>* out) : o_(o), out_(out) {}

  void Section(std::string heading) {
    Flush(false);
    heading_ = std::move(heading);
  }

  void Add(const std::string& text, bool own_line) {
    const int t = o_.count(text);
    if (t > o_.max_tokens) {
      for (auto& u : SplitUnit(text, o_.max_tokens, o_.count)) Put(std::move(u), false);
      return;
    }
    Put({text, t}, own_line);
  }

  void Finish() { Flush(false); }

 private:
  void Put(Unit u, bool own_line) {
    if (tokens_ + u.tokens > o_.max_tokens && !units_.empty()) Flush(true);
    units_.push_back({std::move(u), own_line});
    tokens_ += units_.back().first.tokens;
  }

  // Emits the pending units as a chunk; with `overlap`, the trailing units worth up to
  // overlap_tokens start the next chunk.
  void Flush(bool overlap) {
    if (units_.size() <= carried_) {  // nothing new since the overlap
      units_.clear();
      tokens_ = 0;
      carried_ = 0;
      return;
    }
    Chunk c;
    c.index = static_cast<int>(out_->size());
    c.heading = heading_;
    for (size_t i = 0; i < units_.size(); ++i) {
      if (i) c.text += units_[i].second ? "\n" : (NeedsSpace(c.text) ? " " : "");
      c.text += units_[i].first.text;
    }
    c.tokens = tokens_;
    out_->push_back(std::move(c));
    std::vector<std::pair<Unit, bool>> keep;
    int kept = 0;
    if (overlap && o_.overlap_tokens > 0) {
      for (size_t i = units_.size(); i-- > 1;) {
        if (kept + units_[i].first.tokens > o_.overlap_tokens) break;
        kept += units_[i].first.tokens;
        keep.insert(keep.begin(), units_[i]);
      }
    }
    units_ = std::move(keep);
    tokens_ = kept;
    carried_ = units_.size();
  }

  static bool NeedsSpace(const std::string& s) {
    return !s.empty() && static_cast<unsigned char>(s.back()) < 0x80;
  }

  const ChunkOptions& o_;
  std::vector<Chunk>* out_;
  std::string heading_;
  std::vector<std::pair<Unit, bool>> units_;  // unit, starts on its own line
  int tokens_ = 0;
  size_t carried_ = 0;  // leading units that are overlap from the previous chunk
};

}  // namespace

int EstimateTokens(std::string_view s) {
  int tokens = 0;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  int word = 0;  // letters in the current Latin word
  auto end_word = [&] {
    if (word) tokens += 1 + (word - 1) / 4;
    word = 0;
  };
  while (i < n) {
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    if (c < 0) c = 0xFFFD;
    if (u_isalnum(c) && !IsHan(c)) {
      ++word;
      continue;
    }
    end_word();
    if (IsHan(c) || (!u_isspace(c) && c > 0)) ++tokens;
  }
  end_word();
  return tokens;
}

std::vector<std::string> SplitSentences(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    cur.append(s.substr(start, i - start));
    bool end = c == 0x3002 || c == 0xFF01 || c == 0xFF1F || c == 0xFF1B;  // 。！？；
    if (c == '.' || c == '!' || c == '?') {
      // An English sentence end is followed by a space (or the end): "3.5" and "e.g." inside
      // words stay together.
      end = i >= n || s[i] == ' ' || s[i] == '\n';
    }
    if (end) {
      while (i < n && (s[i] == ' ' || s[i] == '\n')) ++i;
      const std::string_view t = text::Trim(cur);
      if (!t.empty()) out.emplace_back(t);
      cur.clear();
    }
  }
  const std::string_view t = text::Trim(cur);
  if (!t.empty()) out.emplace_back(t);
  return out;
}

std::vector<Chunk> ChunkDocument(const ParsedDoc& doc, const ChunkOptions& options) {
  std::vector<Chunk> out;
  if (!doc.faqs.empty()) {
    for (const auto& f : doc.faqs) {
      Chunk c;
      c.index = static_cast<int>(out.size());
      c.text = f.question;
      c.answer = f.answer;
      c.tokens = options.count(f.question) + options.count(f.answer);
      out.push_back(std::move(c));
    }
    return out;
  }
  Packer packer(options, &out);
  std::vector<std::pair<int, std::string>> path;  // heading level, text
  for (const auto& b : doc.blocks) {
    if (b.type == Block::Type::kHeading) {
      while (!path.empty() && path.back().first >= b.level) path.pop_back();
      path.emplace_back(b.level, b.text);
      std::string heading;
      for (const auto& [level, h] : path) heading += (heading.empty() ? "" : " > ") + h;
      packer.Section(std::move(heading));
      continue;
    }
    packer.Add(b.type == Block::Type::kListItem ? "- " + b.text : b.text,
               b.type == Block::Type::kListItem);
  }
  packer.Finish();
  return out;
}

}  // namespace parley::knowledge
