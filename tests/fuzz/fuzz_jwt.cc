// libFuzzer harness: untrusted bearer tokens through JWT verification (HS256 and ES256
// configured), and base64url decoding.
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "security/crypto.h"
#include "security/jwt.h"

using namespace parley;

static const security::JwtVerifier& Verifier() {
  static const security::JwtVerifier* v = [] {
    EVP_PKEY* k = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(bio, k);
    char* p = nullptr;
    const long n = BIO_get_mem_data(bio, &p);
    security::JwtOptions o;
    o.algorithms = {"HS256", "ES256"};
    o.secret = "0123456789abcdef0123456789abcdef";
    o.public_key_pem.assign(p, static_cast<size_t>(n));
    o.audience = "parley";
    BIO_free(bio);
    EVP_PKEY_free(k);
    return security::JwtVerifier::Create(o)->release();
  }();
  return *v;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  security::Base64UrlDecode(token);
  auto r = Verifier().Verify(token, 1'800'000'000);
  // Nothing random can carry a valid signature.
  if (r.ok()) __builtin_trap();
  // Also: a well-formed HS256 token around the fuzzed payload must verify or fail cleanly.
  const std::string signed_part =
      security::Base64UrlEncode(R"({"alg":"HS256"})") + "." + security::Base64UrlEncode(token);
  const std::string t = signed_part + "." +
                        security::Base64UrlEncode(
                            security::HmacSha256("0123456789abcdef0123456789abcdef", signed_part));
  (void)Verifier().Verify(t, 1'800'000'000);  // verified or refused: either is fine here
  return 0;
}
