#include "security/jwt.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "security/crypto.h"

namespace parley::security {
namespace {

using Json = nlohmann::json;

Error Reject(std::string why) {
  return MakeError(ErrorCode::kUnauthenticated, "invalid API key or token: " + std::move(why),
                   "invalid_token");
}

std::optional<Json> ParseObject(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::optional<int64_t> NumericClaim(const Json& j, const char* name, bool* present) {
  const auto it = j.find(name);
  *present = it != j.end();
  if (!*present) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_number_float()) {
    const double d = it->get<double>();
    if (d > -1e15 && d < 1e15) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

// JWS ES256 signatures are r||s (32 bytes each); OpenSSL wants DER, and the reverse.
std::optional<std::string> RawToDer(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  return out;
}

std::optional<std::string> DerToRaw(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) return std::nullopt;
  std::string out(64, '\0');
  const bool ok =
      BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32) == 32 &&
      BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32) ==
          32;
  ECDSA_SIG_free(sig);
  return ok ? std::optional(out) : std::nullopt;
}

bool IsP256(EVP_PKEY* key) {
  char name[64] = {0};
  size_t len = 0;
  return EVP_PKEY_get_group_name(key, name, sizeof name, &len) == 1 &&
         std::string_view(name) == "prime256v1";
}

Status CheckKeyFits(EVP_PKEY* key, std::string_view alg) {
  const int type = EVP_PKEY_get_base_id(key);
  if (alg == "RS256" && (type != EVP_PKEY_RSA || EVP_PKEY_get_bits(key) < 2048)) {
    return MakeError(ErrorCode::kInvalidArgument, "RS256 needs an RSA key of at least 2048 bits");
  }
  if (alg == "ES256" && (type != EVP_PKEY_EC || !IsP256(key))) {
    return MakeError(ErrorCode::kInvalidArgument, "ES256 needs an EC key on curve P-256");
  }
  return Status::Ok();
}

bool AudienceMatches(const Json& payload, const std::string& want) {
  const auto it = payload.find("aud");
  if (it == payload.end()) return false;
  if (it->is_string()) return it->get<std::string>() == want;
  if (!it->is_array()) return false;
  return std::any_of(it->begin(), it->end(),
                     [&](const Json& a) { return a.is_string() && a.get<std::string>() == want; });
}

Scopes ScopesFromClaim(const Json& payload, const std::string& claim) {
  const auto it = payload.find(claim);
  if (it == payload.end()) return 0;
  std::vector<std::string> names;
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    size_t i = 0;
    while (i <= s.size()) {
      const size_t j = std::min(s.find(' ', i), s.size());
      if (j > i) names.push_back(s.substr(i, j - i));
      i = j + 1;
    }
  } else if (it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) names.push_back(v.get<std::string>());
    }
  }
  // Identity providers put their own scopes (openid, profile...) next to ours; skip those.
  Scopes out = 0;
  for (const auto& n : names) {
    if (auto s = ParseScopes(n)) out |= *s;
  }
  return out;
}

}  // namespace

Result<PkeyPtr> LoadPemKey(const std::string& pem, bool private_key) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* key = private_key ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr)
                              : PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) {
    return MakeError(ErrorCode::kInvalidArgument,
                     private_key ? "not a PEM private key" : "not a PEM public key");
  }
  return PkeyPtr(key, &EVP_PKEY_free);
}

bool JwtVerifier::LooksLikeJwt(std::string_view s) {
  return std::count(s.begin(), s.end(), '.') == 2 && s.substr(0, 2) == "ey";
}

Result<std::unique_ptr<JwtVerifier>> JwtVerifier::Create(JwtOptions o) {
  PkeyPtr key(nullptr, &EVP_PKEY_free);
  bool wants_key = false;
  for (const auto& alg : o.algorithms) {
    if (alg == "HS256") {
      if (o.secret.size() < 32) {
        return MakeError(ErrorCode::kInvalidArgument, "HS256 needs a secret of at least 32 bytes");
      }
    } else if (alg == "RS256" || alg == "ES256") {
      wants_key = true;
    } else {
      return MakeError(ErrorCode::kInvalidArgument,
                       "JWT algorithm '" + alg + "' is not supported (HS256, RS256, ES256)");
    }
  }
  if (wants_key) {
    auto k = LoadPemKey(o.public_key_pem, false);
    if (!k.ok()) return k.error();
    key = std::move(*k);
    for (const auto& alg : o.algorithms) {
      if (alg == "HS256") continue;
      if (Status s = CheckKeyFits(key.get(), alg); !s.ok()) return s.error();
    }
  }
  std::unique_ptr<JwtVerifier> v(new JwtVerifier(std::move(o), std::move(key)));
  if (v->key_) v->key_type_ = EVP_PKEY_get_base_id(v->key_.get());
  return v;
}

bool JwtVerifier::Allowed(std::string_view alg) const {
  return std::find(opt_.algorithms.begin(), opt_.algorithms.end(), alg) != opt_.algorithms.end();
}

bool JwtVerifier::CheckSignature(std::string_view alg, std::string_view signed_part,
                                 std::string_view sig) const {
  if (alg == "HS256") {
    return ConstantTimeEquals(HmacSha256(opt_.secret, signed_part), sig);
  }
  if (!key_) return false;
  std::string der;
  if (alg == "ES256") {
    if (key_type_ != EVP_PKEY_EC) return false;
    auto d = RawToDer(sig);
    if (!d) return false;
    der = std::move(*d);
    sig = der;
  } else if (alg != "RS256" || key_type_ != EVP_PKEY_RSA) {
    return false;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                             reinterpret_cast<const unsigned char*>(signed_part.data()),
                             signed_part.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

Result<JwtClaims> JwtVerifier::Verify(std::string_view token, int64_t now) const {
  if (token.size() > opt_.max_token_bytes) return Reject("token too large");
  const size_t d1 = token.find('.');
  const size_t d2 = d1 == token.npos ? token.npos : token.find('.', d1 + 1);
  if (d2 == token.npos || token.find('.', d2 + 1) != token.npos) return Reject("malformed token");
  const auto header_raw = Base64UrlDecode(token.substr(0, d1));
  const auto payload_raw = Base64UrlDecode(token.substr(d1 + 1, d2 - d1 - 1));
  const auto sig = Base64UrlDecode(token.substr(d2 + 1));
  if (!header_raw || !payload_raw || !sig) return Reject("malformed token");
  const auto header = ParseObject(*header_raw);
  if (!header) return Reject("malformed token header");
  const auto alg_it = header->find("alg");
  if (alg_it == header->end() || !alg_it->is_string()) return Reject("token has no algorithm");
  const std::string alg = alg_it->get<std::string>();
  if (alg == "none" || !Allowed(alg)) return Reject("algorithm not allowed");
  if (header->contains("crit")) return Reject("unsupported critical header");
  if (!CheckSignature(alg, token.substr(0, d2), *sig)) return Reject("bad signature");

  const auto payload = ParseObject(*payload_raw);
  if (!payload) return Reject("malformed token payload");
  bool has_exp, has_nbf, has_iat;
  const auto exp = NumericClaim(*payload, "exp", &has_exp);
  const auto nbf = NumericClaim(*payload, "nbf", &has_nbf);
  const auto iat = NumericClaim(*payload, "iat", &has_iat);
  if (!exp) return Reject("token has no valid exp");
  if ((has_nbf && !nbf) || (has_iat && !iat)) return Reject("malformed time claim");
  const int64_t skew = opt_.leeway_s;
  if (now >= *exp + skew) return Reject("token expired");
  if (nbf && now + skew < *nbf) return Reject("token not yet valid");
  if (iat && *iat > now + skew) return Reject("token issued in the future");
  const int64_t start = iat ? *iat : now;
  if (*exp - start > opt_.max_lifetime_s + (iat ? 0 : skew)) {
    return Reject("token lifetime exceeds the limit");
  }
  if (!opt_.issuer.empty()) {
    const auto it = payload->find("iss");
    if (it == payload->end() || !it->is_string() || it->get<std::string>() != opt_.issuer) {
      return Reject("wrong issuer");
    }
  }
  if (!opt_.audience.empty() && !AudienceMatches(*payload, opt_.audience)) {
    return Reject("wrong audience");
  }
  const auto sub = payload->find(opt_.principal_claim);
  if (sub == payload->end() || !sub->is_string() || sub->get<std::string>().empty() ||
      sub->get<std::string>().size() > 256) {
    return Reject("token has no subject");
  }
  JwtClaims c;
  c.subject = sub->get<std::string>();
  c.scopes = ScopesFromClaim(*payload, opt_.scope_claim);
  c.expires_at = *exp;
  return c;
}

Result<std::unique_ptr<JwtSigner>> JwtSigner::Create(const std::string& alg,
                                                     const std::string& secret,
                                                     const std::string& private_key_pem) {
  if (alg == "HS256") {
    if (secret.size() < 32) {
      return MakeError(ErrorCode::kInvalidArgument, "HS256 needs a secret of at least 32 bytes");
    }
    return std::unique_ptr<JwtSigner>(new JwtSigner(alg, secret, PkeyPtr(nullptr, &EVP_PKEY_free)));
  }
  if (alg != "RS256" && alg != "ES256") {
    return MakeError(ErrorCode::kInvalidArgument, "cannot sign with algorithm '" + alg + "'");
  }
  auto key = LoadPemKey(private_key_pem, true);
  if (!key.ok()) return key.error();
  if (Status s = CheckKeyFits(key->get(), alg); !s.ok()) return s.error();
  return std::unique_ptr<JwtSigner>(new JwtSigner(alg, "", std::move(*key)));
}

Result<std::string> JwtSigner::Sign(const std::string& claims_json) const {
  const std::string head = Base64UrlEncode(R"({"alg":")" + alg_ + R"(","typ":"JWT"})");
  const std::string signed_part = head + "." + Base64UrlEncode(claims_json);
  std::string sig;
  if (alg_ == "HS256") {
    sig = HmacSha256(secret_, signed_part);
  } else {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t len = 0;
    bool ok = EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_.get()) == 1 &&
              EVP_DigestSign(ctx, nullptr, &len,
                             reinterpret_cast<const unsigned char*>(signed_part.data()),
                             signed_part.size()) == 1;
    sig.resize(len);
    ok = ok && EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                              reinterpret_cast<const unsigned char*>(signed_part.data()),
                              signed_part.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) return MakeError(ErrorCode::kInternal, "signing failed");
    sig.resize(len);
    if (alg_ == "ES256") {
      auto raw = DerToRaw(sig);
      if (!raw) return MakeError(ErrorCode::kInternal, "signing failed");
      sig = std::move(*raw);
    }
  }
  return signed_part + "." + Base64UrlEncode(sig);
}

}  // namespace parley::security
