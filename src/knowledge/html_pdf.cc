// The HTML (gumbo) and PDF (poppler-cpp, through libparley_pdf.so) parsers of parsers.h.
#include <dlfcn.h>
#include <gumbo.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "knowledge/parsers.h"
#include "knowledge/pdf_module.h"
#include "util/text.h"

namespace parley::knowledge {
namespace {

bool Skipped(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_FORM:
      return true;
    default:
      return false;
  }
}

bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_BR:
    case GUMBO_TAG_HR:
    case GUMBO_TAG_BODY:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
      return true;
    default:
      return false;
  }
}

int HeadingLevel(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_H1:
      return 1;
    case GUMBO_TAG_H2:
      return 2;
    case GUMBO_TAG_H3:
      return 3;
    case GUMBO_TAG_H4:
      return 4;
    case GUMBO_TAG_H5:
      return 5;
    case GUMBO_TAG_H6:
      return 6;
    default:
      return 0;
  }
}

std::string Collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Walks the DOM, collecting inline text into `pending` and flushing it as a block at block
// boundaries; headings and list items become their own blocks.
class HtmlWalker {
 public:
  explicit HtmlWalker(ParsedDoc* doc) : doc_(doc) {}

  void Walk(const GumboNode* node, int depth) {
    if (depth > 200) return;  // pathological nesting: gumbo caps it too, but stay safe
    if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA ||
        node->type == GUMBO_NODE_WHITESPACE) {
      pending_ += node->v.text.text;
      return;
    }
    if (node->type != GUMBO_NODE_ELEMENT) return;
    const GumboElement& el = node->v.element;
    if (el.tag == GUMBO_TAG_TITLE) {
      title_ = Collapse(TextOf(node));
      return;
    }
    if (Skipped(el.tag)) return;
    const int level = HeadingLevel(el.tag);
    if (level || el.tag == GUMBO_TAG_LI || IsBlock(el.tag)) Flush(Block::Type::kParagraph, 0);
    for (unsigned i = 0; i < el.children.length; ++i) {
      Walk(static_cast<const GumboNode*>(el.children.data[i]), depth + 1);
    }
    if (level) {
      Flush(Block::Type::kHeading, level);
    } else if (el.tag == GUMBO_TAG_LI) {
      Flush(Block::Type::kListItem, 0);
    } else if (IsBlock(el.tag)) {
      Flush(Block::Type::kParagraph, 0);
    } else if (el.tag == GUMBO_TAG_TD || el.tag == GUMBO_TAG_TH) {
      pending_ += ' ';
    }
  }

  std::string title() const { return title_; }

 private:
  static std::string TextOf(const GumboNode* node) {
    if (node->type == GUMBO_NODE_TEXT) return node->v.text.text;
    if (node->type != GUMBO_NODE_ELEMENT) return {};
    std::string out;
    for (unsigned i = 0; i < node->v.element.children.length; ++i) {
      out += TextOf(static_cast<const GumboNode*>(node->v.element.children.data[i]));
    }
    return out;
  }

  void Flush(Block::Type type, int level) {
    std::string t = Collapse(pending_);
    pending_.clear();
    if (t.empty()) return;
    if (type == Block::Type::kHeading && doc_->title.empty()) doc_->title = t;
    doc_->blocks.push_back({type, level, std::move(t)});
  }

  ParsedDoc* doc_;
  std::string pending_;
  std::string title_;
};

// gumbo's time and memory grow with the square of the nesting depth (20,000 nested tags take
// 3 GB), so documents nested deeper than any real page are refused before parsing. The depth
// is estimated from the tags: elements that need no end tag (void ones, and those the parser
// closes implicitly, such as <p> and <li>) do not count.
int EstimateDepth(std::string_view html) {
  static const char* kNoEnd[] = {"area", "base", "br",     "col",   "embed",  "hr", "img", "input",
                                 "link", "meta", "source", "track", "wbr",    "p",  "li",  "dt",
                                 "dd",   "tr",   "td",     "th",    "option", "!",  "?"};
  int depth = 0, max_depth = 0;
  size_t gt = 0;
  for (size_t i = 0; i + 1 < html.size(); ++i) {
    if (html[i] != '<') continue;
    const bool close = html[i + 1] == '/';
    size_t j = i + (close ? 2 : 1);
    const size_t start = j;
    while (j < html.size() && (std::isalnum(static_cast<unsigned char>(html[j])) ||
                               html[j] == '!' || html[j] == '?')) {
      ++j;
    }
    if (j == start) continue;
    std::string name(html.substr(start, j - start));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name[0] == '!' || name[0] == '?') continue;
    bool no_end = false;
    for (const char* n : kNoEnd) no_end |= name == n;
    if (no_end) continue;
    if (gt != std::string_view::npos && gt < j) gt = html.find('>', j);  // amortised linear
    if (!close && gt != std::string_view::npos && gt > 0 && html[gt - 1] == '/') continue;
    depth += close ? -1 : 1;
    if (depth < 0) depth = 0;
    max_depth = std::max(max_depth, depth);
  }
  return max_depth;
}

constexpr int kMaxHtmlDepth = 512;

}  // namespace

Result<ParsedDoc> ParseHtml(std::string_view html) {
  if (Status st = CheckText(html); !st.ok()) return st.error();
  if (EstimateDepth(html) > kMaxHtmlDepth) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "the HTML is nested more than " + std::to_string(kMaxHtmlDepth) + " elements deep",
        "html_too_deep");
  }
  std::unique_ptr<GumboOutput, void (*)(GumboOutput*)> out(
      gumbo_parse_with_options(&kGumboDefaultOptions, html.data(), html.size()),
      [](GumboOutput* o) { gumbo_destroy_output(&kGumboDefaultOptions, o); });
  ParsedDoc doc;
  HtmlWalker walker(&doc);
  walker.Walk(out->root, 0);
  if (!walker.title().empty()) doc.title = walker.title();
  return doc;
}

namespace {

// Where libparley_pdf.so is looked for: $PARLEY_PDF_MODULE, beside the running binary (an
// installed copy), then where this build put it.
std::vector<std::string> PdfModulePaths() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("PARLEY_PDF_MODULE"); env && *env) out.push_back(env);
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    std::string dir(self, static_cast<size_t>(n));
    dir.resize(dir.rfind('/') + 1);
    out.push_back(dir + "libparley_pdf.so");
  }
  if (std::find(out.begin(), out.end(), PARLEY_PDF_MODULE_BUILT) == out.end()) {
    out.push_back(PARLEY_PDF_MODULE_BUILT);
  }
  return out;
}

// The module's entry point, loaded once; null (and `why`) when no copy loads.
ParleyPdfExtractFn PdfExtractor(std::string* why) {
  static std::once_flag once;
  static ParleyPdfExtractFn fn = nullptr;
  static std::string error;
  std::call_once(once, [] {
    for (const auto& path : PdfModulePaths()) {
      void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        error += (error.empty() ? "" : "; ") + std::string(dlerror());
        continue;
      }
      fn = reinterpret_cast<ParleyPdfExtractFn>(dlsym(handle, "parley_pdf_extract"));
      if (fn) return;
      error += "; " + path + " has no parley_pdf_extract";
    }
  });
  if (!fn) *why = error;
  return fn;
}

struct PdfText {
  std::string title;
  std::vector<std::string> pages;
};

}  // namespace

Result<ParsedDoc> ParsePdf(std::string_view bytes) {
  if (bytes.size() < 5 || bytes.substr(0, 5) != "%PDF-") {
    return MakeError(ErrorCode::kInvalidArgument, "the file is not a PDF (no %PDF- header)",
                     "malformed_pdf");
  }
  std::string why;
  const ParleyPdfExtractFn extract = PdfExtractor(&why);
  if (!extract) {
    return MakeError(
        ErrorCode::kUnavailable,
        "PDF support is not available: libparley_pdf.so could not be loaded (" + why + ")",
        "pdf_unavailable");
  }
  PdfText got;
  const int rc = extract(
      bytes.data(), bytes.size(), &got,
      [](void* ctx, const char* s, size_t n) { static_cast<PdfText*>(ctx)->title.assign(s, n); },
      [](void* ctx, const char* s, size_t n) {
        static_cast<PdfText*>(ctx)->pages.emplace_back(s, n);
      });
  if (rc == kParleyPdfMalformed) {
    return MakeError(ErrorCode::kInvalidArgument, "the PDF is malformed and cannot be read",
                     "malformed_pdf");
  }
  if (rc == kParleyPdfEncrypted) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the PDF is encrypted; upload an unencrypted copy", "encrypted_pdf");
  }
  ParsedDoc doc;
  if (text::IsValidUtf8(got.title)) doc.title = std::move(got.title);
  for (const auto& text : got.pages) {
    if (!text::IsValidUtf8(text)) continue;
    auto parsed = ParseText(text);
    if (!parsed.ok()) continue;
    for (auto& b : parsed->blocks) doc.blocks.push_back(std::move(b));
  }
  return doc;
}

}  // namespace parley::knowledge
