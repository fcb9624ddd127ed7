// Document parsers: raw bytes of Markdown, text, HTML (gumbo), PDF (poppler-cpp) and FAQ files
// (CSV or JSONL question/answer pairs) into structure blocks. HTML scripts, styles and other
// non-content elements are dropped, never run. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "knowledge/document.h"
#include "util/result.h"

namespace parley::knowledge {

// The kind a file name implies by its extension (.md .markdown .txt .html .htm .pdf .csv
// .jsonl); nullopt when unsupported.
std::optional<DocKind> KindFromName(std::string_view name);
std::optional<DocKind> KindFromString(std::string_view kind);

// Errors (kInvalidArgument / kUnsupportedMedia) carry reasons: not_text (binary or invalid
// UTF-8 where text was expected), malformed_pdf, encrypted_pdf, invalid_faq, empty_document.
Result<ParsedDoc> Parse(DocKind kind, std::string_view bytes);

Result<ParsedDoc> ParseMarkdown(std::string_view text);
Result<ParsedDoc> ParseText(std::string_view text);
Result<ParsedDoc> ParseHtml(std::string_view html);
Result<ParsedDoc> ParsePdf(std::string_view bytes);
Result<ParsedDoc> ParseFaq(std::string_view text);

// Checks that bytes are text: valid UTF-8 (a BOM is fine) without NUL or more than a few
// control characters.
Status CheckText(std::string_view bytes);

}  // namespace parley::knowledge
