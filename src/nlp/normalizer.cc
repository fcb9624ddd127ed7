#include "nlp/normalizer.h"

#include <opencc/opencc.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <bitset>
#include <cstdio>
#include <opencc/Lexicon.hpp>
#include <opencc/MarisaDict.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace parley::nlp {

struct Normalizer::Impl {
  const icu::Normalizer2* nfkc_cf = nullptr;  // owned by ICU, immutable and thread-safe
  // OpenCC converters are const after loading: Convert() only reads the dictionaries.
  std::unique_ptr<opencc::SimpleConverter> t2s;

  // What t2s.json's dictionaries can match, so that text none of whose keys occur in (nearly all
  // simplified Chinese) skips the converter, which costs more than the rest of the NLU together.
  // Exact: a text without any key converts to itself. Empty when the files cannot be read; then
  // every text with non-ASCII goes through OpenCC.
  static constexpr UChar32 kPlanes = 0x30000;       // BMP, SMP and SIP hold every key character
  std::unique_ptr<std::bitset<kPlanes>> char_keys;  // code points that are keys themselves
  std::unordered_map<UChar32, std::vector<std::string>> phrases;  // phrase keys by first char

  bool LoadKeys(const std::string& dir);
  // False when OpenCC would return `utf8` unchanged (always for ASCII).
  bool MayConvert(std::string_view utf8) const;
};

namespace {

// The first code point of `s` (negative when malformed) and its length in bytes.
UChar32 FirstCodePoint(const std::string& s, int32_t* len) {
  int32_t i = 0;
  UChar32 c;
  U8_NEXT(s.data(), i, static_cast<int32_t>(s.size()), c);
  *len = i;
  return c;
}

opencc::LexiconPtr ReadLexicon(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return nullptr;
  opencc::LexiconPtr lexicon;
  try {
    lexicon = opencc::MarisaDict::NewFromFile(f)->GetLexicon();
  } catch (const std::exception&) {
  }
  std::fclose(f);
  return lexicon;
}

}  // namespace

bool Normalizer::Impl::LoadKeys(const std::string& dir) {
  const auto chars = ReadLexicon(dir + "/TSCharacters.ocd2");
  const auto phrase_list = ReadLexicon(dir + "/TSPhrases.ocd2");
  if (!chars || !phrase_list) return false;
  auto keys = std::make_unique<std::bitset<kPlanes>>();
  int32_t len = 0;
  for (const auto& e : *chars) {
    const std::string k = e->Key();
    const UChar32 c = FirstCodePoint(k, &len);
    if (c < 0 || c >= kPlanes || len != static_cast<int32_t>(k.size())) return false;
    keys->set(c);
  }
  for (const auto& e : *phrase_list) {
    const std::string k = e->Key();
    const UChar32 c = FirstCodePoint(k, &len);
    if (c < 0) return false;
    phrases[c].push_back(k);
  }
  char_keys = std::move(keys);
  return true;
}

bool Normalizer::Impl::MayConvert(std::string_view utf8) const {
  if (!char_keys) {
    return std::any_of(utf8.begin(), utf8.end(), [](char c) { return (c & 0x80) != 0; });
  }
  const auto n = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < n;) {
    const int32_t at = i;
    UChar32 c;
    U8_NEXT(utf8.data(), i, n, c);
    if (c < 0x80) continue;
    if (c >= kPlanes || char_keys->test(c)) return true;
    if (auto it = phrases.find(c); it != phrases.end()) {
      for (const auto& k : it->second) {
        if (utf8.substr(at).starts_with(k)) return true;
      }
    }
  }
  return false;
}

Normalizer::Normalizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Normalizer::~Normalizer() = default;

Result<std::shared_ptr<const Normalizer>> Normalizer::Create() {
  auto impl = std::make_unique<Impl>();
  UErrorCode status = U_ZERO_ERROR;
  impl->nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) {
    return MakeError(ErrorCode::kInternal,
                     std::string("ICU NFKC_Casefold unavailable: ") + u_errorName(status));
  }
  try {
    impl->t2s = std::make_unique<opencc::SimpleConverter>("t2s.json");
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kInternal, std::string("OpenCC t2s.json unavailable: ") + e.what());
  }
  impl->LoadKeys(PARLEY_OPENCC_DATA_DIR);  // without them, only slower
  return std::shared_ptr<const Normalizer>(new Normalizer(std::move(impl)));
}

std::string Normalizer::Fold(std::string_view text) const {
  const icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString folded = impl_->nfkc_cf->normalize(in, status);
  std::string utf8;
  (U_FAILURE(status) ? in : folded).toUTF8String(utf8);
  if (!impl_->MayConvert(utf8)) return utf8;
  return impl_->t2s->Convert(utf8);
}

namespace {

bool IsSymbol(UChar32 c) {
  if (u_isUWhiteSpace(c) || u_iscntrl(c)) return true;
  const int8_t type = u_charType(c);
  switch (type) {
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
    case U_MATH_SYMBOL:
    case U_CURRENCY_SYMBOL:
    case U_MODIFIER_SYMBOL:
    case U_OTHER_SYMBOL:
    case U_FORMAT_CHAR:
    case U_SURROGATE:
    case U_PRIVATE_USE_CHAR:
    case U_UNASSIGNED:
    case U_ENCLOSING_MARK:
      return true;
    default:
      return u_hasBinaryProperty(c, UCHAR_EMOJI_PRESENTATION) ||
             u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC);
  }
}

}  // namespace

std::string Normalizer::StripSymbols(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending_space = false;
  int32_t i = 0;
  const int32_t n = static_cast<int32_t>(s.size());
  while (i < n) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s.data(), i, n, c);
    if (c < 0 || IsSymbol(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out.append(s.data() + start, static_cast<size_t>(i - start));
  }
  return out;
}

std::string Normalizer::ForMatching(std::string_view text) const {
  return StripSymbols(Fold(text));
}

}  // namespace parley::nlp
