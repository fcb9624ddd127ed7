// Structure-following chunking: headings open sections, paragraphs and list items are units,
// long units split at Chinese and English sentence ends (。！？.!?), and units pack into chunks
// of about `max_tokens` with `overlap_tokens` carried over inside a section. Every chunk keeps
// its heading path. Token counts come from an injected counter (the embedding model's
// tokenizer when there is one) or a built-in estimate. Pure functions, thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "knowledge/document.h"

namespace parley::knowledge {

using TokenCounter = std::function<int(std::string_view)>;

// About one token per Han character, per short English word and per 4 letters of longer ones,
// per digit group and per punctuation mark: close to BPE tokenizers of Qwen/Llama class models.
int EstimateTokens(std::string_view text);

struct ChunkOptions {
  int max_tokens = 256;
  int overlap_tokens = 32;
  TokenCounter count = EstimateTokens;
};

// Sentences of a paragraph, each keeping its end punctuation.
std::vector<std::string> SplitSentences(std::string_view text);

std::vector<Chunk> ChunkDocument(const ParsedDoc& doc, const ChunkOptions& options);

}  // namespace parley::knowledge
