// JWT bearer tokens (RFC 7519, JWS compact form). JwtVerifier accepts only the algorithms the
// configuration lists (HS256 with a shared secret, RS256/ES256 with a public key file; `none`
// never), binds each algorithm to its own key material (so an HS256 token "signed" with the RSA
// public key fails), requires `exp`, caps the lifetime, checks nbf/iat/iss/aud with a small
// clock skew, and maps claims to a principal and scopes. JwtSigner mints tokens for
// `parley token` and tests. Both are immutable after Create() and thread-safe.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <vector>

#include "security/scopes.h"
#include "util/result.h"

namespace parley::security {

struct JwtOptions {
  std::vector<std::string> algorithms;  // allowlist: HS256, RS256, ES256
  std::string secret;                   // HS256 key
  std::string public_key_pem;           // RS256 (RSA) or ES256 (P-256) public key
  std::string issuer;                   // required `iss` when non-empty
  std::string audience;                 // required in `aud` when non-empty
  int64_t max_lifetime_s = 3600;        // exp - iat (or exp - now) may not exceed this
  int64_t leeway_s = 30;                // clock skew allowed on exp, nbf, iat
  std::string principal_claim = "sub";
  std::string scope_claim = "scope";  // space-separated string, or an array of names
  size_t max_token_bytes = 8192;
};

struct JwtClaims {
  std::string subject;
  Scopes scopes = 0;
  int64_t expires_at = 0;
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

// Parses a PEM public (or, with private = true, private) key.
Result<PkeyPtr> LoadPemKey(const std::string& pem, bool private_key);

class JwtVerifier {
 public:
  static Result<std::unique_ptr<JwtVerifier>> Create(JwtOptions options);
  // Every failure is kUnauthenticated; the message says which check failed (safe to log, it
  // never contains the token).
  Result<JwtClaims> Verify(std::string_view token, int64_t now) const;
  static bool LooksLikeJwt(std::string_view s);

 private:
  JwtVerifier(JwtOptions o, PkeyPtr key) : opt_(std::move(o)), key_(std::move(key)) {}
  bool Allowed(std::string_view alg) const;
  bool CheckSignature(std::string_view alg, std::string_view signed_part,
                      std::string_view sig) const;

  JwtOptions opt_;
  PkeyPtr key_;
  int key_type_ = 0;  // EVP_PKEY_RSA or EVP_PKEY_EC when key_ is set
};

class JwtSigner {
 public:
  // alg HS256 uses `secret`; RS256/ES256 use `private_key_pem`.
  static Result<std::unique_ptr<JwtSigner>> Create(const std::string& alg,
                                                   const std::string& secret,
                                                   const std::string& private_key_pem);
  // claims_json: the payload object, serialised.
  Result<std::string> Sign(const std::string& claims_json) const;

 private:
  JwtSigner(std::string alg, std::string secret, PkeyPtr key)
      : alg_(std::move(alg)), secret_(std::move(secret)), key_(std::move(key)) {}
  std::string alg_, secret_;
  PkeyPtr key_;
};

}  // namespace parley::security
