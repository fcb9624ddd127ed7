#include "knowledge/parsers.h"

#include <nlohmann/json.hpp>

#include "util/text.h"

namespace parley::knowledge {
namespace {

Error NotText(std::string why) {
  return MakeError(ErrorCode::kUnsupportedMedia, "the document is not text: " + why, "not_text");
}

std::string_view StripBom(std::string_view s) {
  return s.substr(0, 3) == "\xEF\xBB\xBF" ? s.substr(3) : s;
}

// Splits on '\n' and drops a trailing '\r' from each line.
std::vector<std::string_view> Lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('\n', start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view line = s.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    start = end + 1;
  }
  return out;
}

// "- item", "* item", "+ item", "1. item", "1) item": the item text, else nullopt.
std::optional<std::string_view> ListItem(std::string_view line) {
  std::string_view t = text::Trim(line);
  if (t.size() > 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ') {
    return text::Trim(t.substr(2));
  }
  size_t i = 0;
  while (i < t.size() && i < 4 && t[i] >= '0' && t[i] <= '9') ++i;
  if (i > 0 && i + 1 < t.size() && (t[i] == '.' || t[i] == ')') && t[i + 1] == ' ') {
    return text::Trim(t.substr(i + 2));
  }
  return std::nullopt;
}

// Markdown inline markup that carries no meaning for retrieval: emphasis, code ticks, link
// targets ("[text](url)" keeps "text").
std::string StripInline(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t next_close = 0;  // the next ')' at or after i, cached so the scan stays linear
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '*' || c == '`' || (c == '_' && (i + 1 < s.size() && s[i + 1] == '_'))) continue;
    if (c == ']' && i + 1 < s.size() && s[i + 1] == '(') {
      if (next_close != std::string_view::npos && next_close < i) next_close = s.find(')', i);
      if (next_close != std::string_view::npos) {
        i = next_close;
        continue;
      }
    }
    if (c == '[' || (c == '!' && i + 1 < s.size() && s[i + 1] == '[')) continue;
    out += c;
  }
  return out;
}

void AddParagraph(ParsedDoc* doc, std::string* para) {
  const std::string_view t = text::Trim(*para);
  if (!t.empty()) doc->blocks.push_back({Block::Type::kParagraph, 0, std::string(t)});
  para->clear();
}

// CSV fields of one record starting at *pos, RFC 4180 quoting; advances *pos past the record.
std::vector<std::string> CsvRecord(std::string_view s, size_t* pos) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  size_t i = *pos;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '\n') {
      ++i;
      break;
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  *pos = i;
  return fields;
}

bool IsQuestionHeader(std::string_view s) {
  const std::string l = text::ToLower(text::Trim(s));
  return l == "q" || l == "question" || l == "问题" || l == "问";
}

Result<ParsedDoc> ParseFaqCsv(std::string_view s) {
  ParsedDoc doc;
  size_t pos = 0;
  for (int line = 1; pos < s.size(); ++line) {
    auto f = CsvRecord(s, &pos);
    if (f.size() == 1 && text::Trim(f[0]).empty()) continue;
    if (line == 1 && f.size() >= 2 && IsQuestionHeader(f[0])) continue;
    if (f.size() < 2 || text::Trim(f[0]).empty() || text::Trim(f[1]).empty()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "FAQ CSV record " + std::to_string(line) +
                           ": expected two non-empty fields, question,answer",
                       "invalid_faq");
    }
    doc.faqs.push_back({std::string(text::Trim(f[0])), std::string(text::Trim(f[1]))});
  }
  return doc;
}

Result<ParsedDoc> ParseFaqJsonl(std::string_view s) {
  ParsedDoc doc;
  int n = 0;
  for (std::string_view line : Lines(s)) {
    ++n;
    if (text::Trim(line).empty()) continue;
    const auto j = nlohmann::json::parse(line, nullptr, false);
    auto field = [&j](const char* a, const char* b) -> std::string {
      for (const char* k : {a, b}) {
        if (j.is_object() && j.contains(k) && j[k].is_string()) return j[k].get<std::string>();
      }
      return {};
    };
    const std::string q = field("q", "question"), a = field("a", "answer");
    if (j.is_discarded() || text::Trim(q).empty() || text::Trim(a).empty()) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          "FAQ JSONL line " + std::to_string(n) + ": expected {\"q\": \"...\", \"a\": \"...\"}",
          "invalid_faq");
    }
    doc.faqs.push_back({std::string(text::Trim(q)), std::string(text::Trim(a))});
  }
  return doc;
}

}  // namespace

const char* KindName(DocKind k) {
  switch (k) {
    case DocKind::kMarkdown:
      return "markdown";
    case DocKind::kText:
      return "text";
    case DocKind::kHtml:
      return "html";
    case DocKind::kPdf:
      return "pdf";
    case DocKind::kFaq:
      return "faq";
  }
  return "text";
}

std::optional<DocKind> KindFromString(std::string_view k) {
  for (DocKind d :
       {DocKind::kMarkdown, DocKind::kText, DocKind::kHtml, DocKind::kPdf, DocKind::kFaq}) {
    if (k == KindName(d)) return d;
  }
  return std::nullopt;
}

std::optional<DocKind> KindFromName(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string ext = text::ToLower(name.substr(dot + 1));
  if (ext == "md" || ext == "markdown") return DocKind::kMarkdown;
  if (ext == "txt" || ext == "text") return DocKind::kText;
  if (ext == "html" || ext == "htm") return DocKind::kHtml;
  if (ext == "pdf") return DocKind::kPdf;
  if (ext == "csv" || ext == "jsonl") return DocKind::kFaq;
  return std::nullopt;
}

Status CheckText(std::string_view bytes) {
  const size_t bad = text::FindInvalidUtf8(bytes);
  if (bad != std::string_view::npos) {
    return NotText("invalid UTF-8 at byte " + std::to_string(bad));
  }
  size_t controls = 0;
  for (unsigned char c : bytes) {
    if (c == 0) return NotText("it contains NUL bytes");
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++controls;
  }
  if (controls > 8 && controls * 100 > bytes.size()) return NotText("too many control characters");
  return Status::Ok();
}

Result<ParsedDoc> ParseMarkdown(std::string_view s) {
  if (Status st = CheckText(s); !st.ok()) return st.error();
  ParsedDoc doc;
  std::string para;
  bool fence = false;
  for (std::string_view line : Lines(StripBom(s))) {
    const std::string_view t = text::Trim(line);
    if (t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~") {
      fence = !fence;
      if (!fence) AddParagraph(&doc, &para);
      continue;
    }
    if (fence) {
      para += std::string(line) + "\n";
      continue;
    }
    size_t level = 0;
    while (level < t.size() && t[level] == '#') ++level;
    if (level >= 1 && level <= 6 && level < t.size() && t[level] == ' ') {
      AddParagraph(&doc, &para);
      const std::string h = StripInline(text::Trim(t.substr(level)));
      if (doc.title.empty()) doc.title = h;
      doc.blocks.push_back({Block::Type::kHeading, static_cast<int>(level), h});
    } else if (auto item = ListItem(line)) {
      AddParagraph(&doc, &para);
      doc.blocks.push_back({Block::Type::kListItem, 0, StripInline(*item)});
    } else if (t.empty() || t.find_first_not_of("-=*_|: ") == std::string_view::npos) {
      AddParagraph(&doc, &para);  // blank lines, rules, setext underlines, table separators
    } else if (t[0] == '|') {
      AddParagraph(&doc, &para);  // one table row: one paragraph, cells separated by spaces
      std::string row;
      for (char c : t) row += c == '|' ? ' ' : c;
      doc.blocks.push_back({Block::Type::kParagraph, 0, StripInline(text::Trim(row))});
    } else {
      if (!para.empty()) para += ' ';
      para += StripInline(t[0] == '>' ? text::Trim(t.substr(1)) : t);
    }
  }
  AddParagraph(&doc, &para);
  return doc;
}

Result<ParsedDoc> ParseText(std::string_view s) {
  if (Status st = CheckText(s); !st.ok()) return st.error();
  ParsedDoc doc;
  std::string para;
  for (std::string_view line : Lines(StripBom(s))) {
    const std::string_view t = text::Trim(line);
    if (t.empty()) {
      AddParagraph(&doc, &para);
    } else if (auto item = ListItem(line)) {
      AddParagraph(&doc, &para);
      doc.blocks.push_back({Block::Type::kListItem, 0, std::string(*item)});
    } else {
      if (!para.empty()) para += ' ';
      para += t;
    }
  }
  AddParagraph(&doc, &para);
  return doc;
}

Result<ParsedDoc> ParseFaq(std::string_view s) {
  if (Status st = CheckText(s); !st.ok()) return st.error();
  s = StripBom(s);
  const std::string_view t = text::Trim(s);
  auto r = !t.empty() && t[0] == '{' ? ParseFaqJsonl(s) : ParseFaqCsv(s);
  return r;
}

Result<ParsedDoc> Parse(DocKind kind, std::string_view bytes) {
  Result<ParsedDoc> r = ParsedDoc{};
  switch (kind) {
    case DocKind::kMarkdown:
      r = ParseMarkdown(bytes);
      break;
    case DocKind::kText:
      r = ParseText(bytes);
      break;
    case DocKind::kHtml:
      r = ParseHtml(bytes);
      break;
    case DocKind::kPdf:
      r = ParsePdf(bytes);
      break;
    case DocKind::kFaq:
      r = ParseFaq(bytes);
      break;
  }
  if (r.ok() && r->blocks.empty() && r->faqs.empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "the document has no text", "empty_document");
  }
  return r;
}

}  // namespace parley::knowledge
