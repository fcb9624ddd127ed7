#include "nlp/normalizer.h"

#include <opencc/opencc.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace parley::nlp {

struct Normalizer::Impl {
  const icu::Normalizer2* nfkc_cf = nullptr;  // owned by ICU, immutable and thread-safe
  // OpenCC converters are const after loading: Convert() only reads the dictionaries.
  std::unique_ptr<opencc::SimpleConverter> t2s;
};

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
  return std::shared_ptr<const Normalizer>(new Normalizer(std::move(impl)));
}

std::string Normalizer::Fold(std::string_view text) const {
  const icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString folded = impl_->nfkc_cf->normalize(in, status);
  std::string utf8;
  (U_FAILURE(status) ? in : folded).toUTF8String(utf8);
  bool ascii = true;
  for (unsigned char c : utf8) {
    if (c >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return utf8;  // nothing for OpenCC to convert
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
