#include "knowledge/knowledge_base.h"

#include <openssl/evp.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "knowledge/parsers.h"
#include "knowledge/terms.h"
#include "util/clock.h"
#include "util/text.h"

namespace parley::knowledge {
namespace {

std::string VectorPath(const KbOptions& o) {
  return o.dir.empty() ? std::string() : o.dir + "/vectors.hnsw";
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

Error BadName(const std::string& why) {
  return MakeError(ErrorCode::kInvalidArgument, "invalid document name: " + why, "invalid_name",
                   "name");
}

// The text the lexical index and the embedder see for a chunk: heading path, then passage.
std::string IndexedText(const std::string& title, const Chunk& c) {
  std::string t = title;
  if (!c.heading.empty()) t += "\n" + c.heading;
  return t + "\n" + c.text;
}

}  // namespace

std::string Sha256Hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &n, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

KnowledgeBase::KnowledgeBase(KbOptions options, std::shared_ptr<const nlp::Normalizer> normalizer,
                             std::unique_ptr<KbStore> store)
    : options_(std::move(options)), normalizer_(std::move(normalizer)), store_(std::move(store)) {}

KnowledgeBase::~KnowledgeBase() {
  std::lock_guard write(write_mu_);
  (void)SaveVectors(true);
}

Status KnowledgeBase::Flush() {
  std::lock_guard write(write_mu_);
  return SaveVectors(true);
}

Result<std::unique_ptr<KnowledgeBase>> KnowledgeBase::Open(KbOptions options) {
  auto normalizer = nlp::Normalizer::Create();
  if (!normalizer.ok()) return normalizer.error();
  if (!options.dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.dir, ec);
    if (ec) {
      return MakeError(ErrorCode::kUnavailable,
                       "cannot create knowledge folder " + options.dir + ": " + ec.message());
    }
  }
  auto store = KbStore::Open(options.dir.empty() ? ":memory:" : options.dir + "/kb.db");
  if (!store.ok()) return store.error();
  std::unique_ptr<KnowledgeBase> kb(
      new KnowledgeBase(std::move(options), *normalizer, std::move(*store)));
  if (Status s = kb->LoadIndexes(); !s.ok()) return s.error();
  return kb;
}

int64_t KnowledgeBase::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return UnixMillis();
}

Status KnowledgeBase::LoadIndexes() {
  auto docs = store_->List();
  if (!docs.ok()) return docs.status();
  documents_ = docs->size();
  std::unique_lock lock(index_mu_);
  Status s = store_->ForEachChunkTerms(
      [this](int64_t id, std::vector<std::string> terms) { bm25_.Add(id, terms); });
  if (!s.ok() || !options_.embedder) return s;
  // The vector file is a cache of the stored vectors: use it when it holds exactly them.
  std::vector<std::pair<int64_t, std::vector<float>>> stored;
  s = store_->ForEachEmbedding(options_.embedder->model(), [&](int64_t id, std::vector<float> v) {
    stored.emplace_back(id, std::move(v));
  });
  if (!s.ok()) return s;
  if (!stored.empty()) {
    const int dim = static_cast<int>(stored.front().second.size());
    auto loaded = VectorIndex::Load(VectorPath(options_), dim);
    bool fresh = loaded.ok() && (*loaded)->size() == stored.size();
    for (size_t i = 0; fresh && i < stored.size(); ++i)
      fresh = (*loaded)->Contains(stored[i].first);
    fresh_file_ = fresh;
    if (fresh) {
      vectors_ = std::move(*loaded);
    } else {
      vectors_ = std::make_unique<VectorIndex>(dim, stored.size() + 16);
      for (auto& [id, v] : stored) {
        if (Status a = vectors_->Add(id, std::move(v)); !a.ok()) return a;
      }
    }
  }
  lock.unlock();
  // Chunks without a vector for the model: added while it was not configured, or by a process
  // that crashed between committing a document and storing its vectors.
  std::lock_guard write(write_mu_);
  auto missing = store_->MissingEmbeddings(options_.embedder->model());
  if (!missing.ok()) return missing.status();
  if (Status e = EmbedChunks(*missing); !e.ok()) return e;
  vectors_dirty_ |= !fresh_file_;
  return SaveVectors(true);
}

// Caller holds write_mu_.
Status KnowledgeBase::EmbedChunks(const std::vector<std::pair<int64_t, std::string>>& chunks) {
  if (!options_.embedder || chunks.empty()) return Status::Ok();
  std::vector<std::pair<int64_t, std::vector<float>>> vectors;
  vectors.reserve(chunks.size());
  for (const auto& [id, text] : chunks) {
    auto v = options_.embedder->Embed(text);
    if (!v.ok()) return v.status();
    vectors.emplace_back(id, std::move(*v));
  }
  if (Status s = store_->PutEmbeddings(options_.embedder->model(), vectors); !s.ok()) return s;
  vectors_dirty_ = true;
  std::unique_lock lock(index_mu_);
  for (auto& [id, v] : vectors) {
    if (!vectors_) vectors_ = std::make_unique<VectorIndex>(static_cast<int>(v.size()));
    if (Status s = vectors_->Add(id, std::move(v)); !s.ok()) return s;
  }
  return Status::Ok();
}

Status KnowledgeBase::SaveVectors(bool force) {
  if (!options_.embedder || options_.dir.empty() || !vectors_dirty_) return Status::Ok();
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - vectors_saved_ < std::chrono::seconds(30)) return Status::Ok();
  std::shared_lock lock(index_mu_);
  if (!vectors_) return Status::Ok();
  if (Status s = vectors_->Save(VectorPath(options_)); !s.ok()) return s;
  vectors_dirty_ = false;
  vectors_saved_ = now;
  return Status::Ok();
}

Status KnowledgeBase::CheckName(std::string_view name) {
  if (name.empty()) return BadName("it is empty");
  if (name.size() > 255) return BadName("longer than 255 bytes");
  if (!text::IsValidUtf8(name)) return BadName("not valid UTF-8");
  for (size_t i = 0; i < name.size(); ++i) {
    const unsigned char c = name[i];
    if (c == 0) return BadName("it contains a NUL byte");
    if (c < 0x20 || c == 0x7F) return BadName("it contains control characters");
    if (c == '/' || c == '\\') return BadName("it must be a file name, not a path");
    if (c == '%' && i + 2 < name.size() + 0 && IsHex(name[i + 1]) && IsHex(name[i + 2])) {
      return BadName("percent-encoded characters are not allowed");
    }
    if (c == ':') return BadName("':' is not allowed");
  }
  if (name == "." || name == ".." || name.find("..") != std::string_view::npos) {
    return BadName("'..' is not allowed");
  }
  if (name.front() == '.' || name.front() == ' ' || name.back() == ' ') {
    return BadName("it may not start with '.' or start or end with a space");
  }
  return Status::Ok();
}

Result<AddResult> KnowledgeBase::Add(const AddRequest& req) {
  if (Status s = CheckName(req.name); !s.ok()) return s.error();
  if (static_cast<int64_t>(req.bytes.size()) > options_.max_document_bytes) {
    return MakeError(ErrorCode::kPayloadTooLarge,
                     "the document is " + std::to_string(req.bytes.size()) +
                         " bytes; the limit is " + std::to_string(options_.max_document_bytes),
                     "document_too_large");
  }
  const auto kind = req.kind ? req.kind : KindFromName(req.name);
  if (!kind) {
    return MakeError(ErrorCode::kUnsupportedMedia,
                     "unsupported document type '" + req.name +
                         "' (expected .md, .txt, .html, .pdf, or .csv/.jsonl for FAQ)",
                     "unsupported_type", "name");
  }
  auto parsed = Parse(*kind, req.bytes);
  if (!parsed.ok()) return parsed.error();
  DocumentInfo info;
  info.name = req.name;
  info.title = !req.title.empty()       ? req.title
               : !parsed->title.empty() ? parsed->title
                                        : [&] {
                                            const size_t dot = req.name.rfind('.');
                                            return req.name.substr(0, dot);
                                          }();
  info.source = req.source;
  info.kind = KindName(*kind);
  info.hash = Sha256Hex(req.bytes);
  info.bytes = static_cast<int64_t>(req.bytes.size());
  info.created_ms = info.updated_ms = Now();
  std::vector<NewChunk> chunks;
  for (auto& c : ChunkDocument(*parsed, options_.chunking)) {
    auto terms = IndexTerms(*normalizer_, IndexedText(info.title, c));
    chunks.push_back({std::move(c), std::move(terms)});
  }

  std::lock_guard write(write_mu_);
  auto dup = store_->FindByHash(info.hash);
  if (!dup.ok()) return dup.error();
  if (*dup) return AddResult{**dup, true, false};
  int64_t replace = 0;
  if (!req.source.empty()) {
    auto old = store_->FindBySource(req.source);
    if (!old.ok()) return old.error();
    if (*old) {
      replace = (*old)->id;
      info.created_ms = (*old)->created_ms;
    }
  }
  std::vector<int64_t> old_ids;
  if (replace) {
    auto ids = store_->ChunkIds(replace);
    if (!ids.ok()) return ids.error();
    old_ids = std::move(*ids);
  }
  auto stored = store_->Insert(info, chunks, replace);
  if (!stored.ok()) return stored.error();
  {
    std::unique_lock lock(index_mu_);
    for (int64_t id : old_ids) {
      bm25_.Remove(id);
      if (vectors_) vectors_->Remove(id), vectors_dirty_ = true;
    }
    for (size_t i = 0; i < chunks.size(); ++i) bm25_.Add(stored->second[i], chunks[i].terms);
  }
  std::vector<std::pair<int64_t, std::string>> to_embed;
  if (options_.embedder) {
    for (size_t i = 0; i < chunks.size(); ++i) {
      const Chunk& c = chunks[i].chunk;
      to_embed.emplace_back(stored->second[i],
                            c.heading.empty() ? c.text : c.heading + "\n" + c.text);
    }
  }
  if (Status s = EmbedChunks(to_embed); !s.ok()) return s.error();
  if (Status s = SaveVectors(false); !s.ok()) return s.error();
  if (!replace) ++documents_;
  return AddResult{std::move(stored->first), false, replace != 0};
}

Result<AddResult> KnowledgeBase::AddFile(const std::string& path) {
  std::error_code ec;
  const auto abs = std::filesystem::absolute(path, ec).lexically_normal();
  const auto size = std::filesystem::file_size(abs, ec);
  if (ec) return MakeError(ErrorCode::kNotFound, path + ": " + ec.message(), "file_not_found");
  if (static_cast<int64_t>(size) > options_.max_document_bytes) {
    return MakeError(ErrorCode::kPayloadTooLarge,
                     path + " is " + std::to_string(size) + " bytes; the limit is " +
                         std::to_string(options_.max_document_bytes),
                     "document_too_large");
  }
  std::ifstream in(abs, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return MakeError(ErrorCode::kInternal, "cannot read " + path);
  return Add({abs.filename().string(), std::move(bytes), std::nullopt, abs.string(), ""});
}

Result<std::vector<DocumentInfo>> KnowledgeBase::List() { return store_->List(); }

Result<DocumentInfo> KnowledgeBase::Remove(int64_t id) {
  std::lock_guard write(write_mu_);
  auto doc = store_->Get(id);
  if (!doc.ok()) return doc.error();
  if (!*doc) {
    return MakeError(ErrorCode::kNotFound, "no document " + std::to_string(id),
                     "document_not_found", "id");
  }
  auto ids = store_->Remove(id);
  if (!ids.ok()) return ids.error();
  --documents_;
  {
    std::unique_lock lock(index_mu_);
    for (int64_t c : *ids) {
      bm25_.Remove(c);
      if (vectors_) vectors_->Remove(c), vectors_dirty_ = true;
    }
  }
  if (Status s = SaveVectors(false); !s.ok()) return s.error();
  return **doc;
}

size_t KnowledgeBase::chunk_count() const {
  std::shared_lock lock(index_mu_);
  return bm25_.size();
}

}  // namespace parley::knowledge
