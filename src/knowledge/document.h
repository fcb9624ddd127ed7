// Plain data types of the knowledge base: parsed documents (structure blocks and FAQ pairs),
// chunks, stored document records and search hits. Values only; copy them between threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace parley::knowledge {

enum class DocKind { kMarkdown, kText, kHtml, kPdf, kFaq };
const char* KindName(DocKind k);

// One structural unit of a document, in reading order.
struct Block {
  enum class Type { kHeading, kParagraph, kListItem };
  Type type = Type::kParagraph;
  int level = 0;  // heading level 1..6
  std::string text;
};

struct FaqPair {
  std::string question;
  std::string answer;
};

struct ParsedDoc {
  std::string title;  // from the document (first heading, <title>, PDF info); may be ""
  std::vector<Block> blocks;
  std::vector<FaqPair> faqs;  // FAQ files only
};

struct Chunk {
  int index = 0;
  std::string heading;  // heading path, "Returns > Refunds"
  std::string text;     // the passage (FAQ: the question)
  std::string answer;   // FAQ: the answer; "" for passages
  int tokens = 0;
};

struct DocumentInfo {
  int64_t id = 0;
  std::string name;  // file name as uploaded or added
  std::string title;
  std::string source;  // path it was read from ("" for uploads)
  std::string kind;    // markdown, text, html, pdf, faq
  std::string hash;    // SHA-256 of the raw bytes, hex
  int64_t bytes = 0;
  int64_t chunks = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

struct Hit {
  int64_t chunk_id = 0;  // stable row id of the chunk
  int64_t doc_id = 0;
  std::string doc_name;
  std::string title;
  int chunk = 0;  // index within the document
  std::string heading;
  std::string text;
  std::string answer;     // FAQ answer, when the chunk is a FAQ question
  double score = 0;       // BM25 (lexical) or reciprocal-rank fusion (hybrid)
  double coverage = 0;    // share of the query's term weight this chunk matches, 0..1
  double similarity = 0;  // cosine similarity, when vectors are used
};

}  // namespace parley::knowledge
