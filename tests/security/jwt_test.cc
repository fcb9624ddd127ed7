// JWT verification against forged and malformed tokens, and minting.
#include "security/jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <nlohmann/json.hpp>

#include "security/crypto.h"

namespace parley::security {
namespace {

using Json = nlohmann::json;
const std::string kSecret = "0123456789abcdef0123456789abcdef-secret";
constexpr int64_t kNow = 1'800'000'000;

std::string Pem(EVP_PKEY* key, bool priv) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (priv) {
    PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PUBKEY(bio, key);
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(len));
  BIO_free(bio);
  return out;
}

struct KeyPair {
  std::string pub, priv;
};

KeyPair MakeKeys(bool rsa) {
  EVP_PKEY* k = rsa ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048})
                    : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  KeyPair p{Pem(k, false), Pem(k, true)};
  EVP_PKEY_free(k);
  return p;
}

const KeyPair& Rsa() {
  static const KeyPair k = MakeKeys(true);
  return k;
}
const KeyPair& Ec() {
  static const KeyPair k = MakeKeys(false);
  return k;
}

Json Claims(int64_t lifetime = 600) {
  return {{"sub", "user-42"},       {"iat", kNow},
          {"exp", kNow + lifetime}, {"scope", "chat kb:read openid"},
          {"aud", "parley"},        {"iss", "https://idp"}};
}

std::string Sign(const std::string& alg, const Json& claims) {
  auto s = JwtSigner::Create(alg, kSecret, alg == "RS256" ? Rsa().priv : Ec().priv);
  EXPECT_TRUE(s.ok()) << s.error().message;
  auto t = (*s)->Sign(claims.dump());
  EXPECT_TRUE(t.ok());
  return *t;
}

// A token with an arbitrary header, signed with HMAC under `key` (or unsigned).
std::string Forge(const Json& header, const Json& claims, const std::string& key, bool sign) {
  const std::string part = Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(claims.dump());
  return part + "." + (sign ? Base64UrlEncode(HmacSha256(key, part)) : "");
}

std::unique_ptr<JwtVerifier> Verifier(std::vector<std::string> algs, std::string pub = {}) {
  JwtOptions o;
  o.algorithms = std::move(algs);
  o.secret = kSecret;
  o.public_key_pem = std::move(pub);
  o.audience = "parley";
  o.issuer = "https://idp";
  auto v = JwtVerifier::Create(o);
  EXPECT_TRUE(v.ok()) << v.error().message;
  return v.ok() ? std::move(*v) : nullptr;
}

void ExpectRejected(const JwtVerifier& v, const std::string& token, const std::string& why) {
  auto r = v.Verify(token, kNow);
  ASSERT_FALSE(r.ok()) << why;
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
}

TEST(JwtTest, AcceptsValidTokensOfEachAlgorithmAndMapsClaims) {
  for (const std::string alg : {"HS256", "RS256", "ES256"}) {
    auto v = Verifier({alg}, alg == "RS256" ? Rsa().pub : alg == "ES256" ? Ec().pub : "");
    ASSERT_TRUE(v);
    auto c = v->Verify(Sign(alg, Claims()), kNow);
    ASSERT_TRUE(c.ok()) << alg << ": " << c.error().message;
    EXPECT_EQ(c->subject, "user-42");
    EXPECT_EQ(c->scopes, kScopeChat | kScopeKbRead) << "unknown scopes (openid) are ignored";
  }
}

TEST(JwtTest, RejectsAlgNoneEvenWhenUnsigned) {
  auto v = Verifier({"HS256"});
  ExpectRejected(*v, Forge({{"alg", "none"}, {"typ", "JWT"}}, Claims(), "", false),
                 "algorithm not allowed");
  ExpectRejected(*v, Forge({{"alg", "NONE"}}, Claims(), "", false), "algorithm not allowed");
  ExpectRejected(*v, Forge({{"typ", "JWT"}}, Claims(), kSecret, true), "no algorithm");
  JwtOptions o;
  o.algorithms = {"none"};
  EXPECT_FALSE(JwtVerifier::Create(o).ok());
}

TEST(JwtTest, RejectsHs256SignedWithTheRsaPublicKey) {
  // The classic key-confusion attack: the public key (known to everyone) used as HMAC secret.
  auto rs_only = Verifier({"RS256"}, Rsa().pub);
  const auto forged = Forge({{"alg", "HS256"}}, Claims(), Rsa().pub, true);
  ExpectRejected(*rs_only, forged, "algorithm not allowed");
  auto both = Verifier({"HS256", "RS256"}, Rsa().pub);
  ExpectRejected(*both, forged, "bad signature");
}

TEST(JwtTest, RejectsExpiredFutureAndOverlongTokens) {
  auto v = Verifier({"HS256"});
  Json expired = Claims();
  expired["iat"] = kNow - 700;
  expired["exp"] = kNow - 100;  // beyond the 30 s leeway
  ExpectRejected(*v, Sign("HS256", expired), "expired");
  Json skewed = Claims();
  skewed["exp"] = kNow - 10;  // within the leeway
  EXPECT_TRUE(v->Verify(Sign("HS256", skewed), kNow).ok());
  Json nbf = Claims();
  nbf["nbf"] = kNow + 120;
  ExpectRejected(*v, Sign("HS256", nbf), "not yet valid");
  Json iat = Claims();
  iat["iat"] = kNow + 120;
  iat["exp"] = kNow + 600;
  ExpectRejected(*v, Sign("HS256", iat), "issued in the future");
  ExpectRejected(*v, Sign("HS256", Claims(7200)), "lifetime");
  Json no_iat = Claims(7200);
  no_iat.erase("iat");
  ExpectRejected(*v, Sign("HS256", no_iat), "lifetime");
  Json no_exp = Claims();
  no_exp.erase("exp");
  ExpectRejected(*v, Sign("HS256", no_exp), "no valid exp");
  Json str_exp = Claims();
  str_exp["exp"] = "tomorrow";
  ExpectRejected(*v, Sign("HS256", str_exp), "no valid exp");
}

TEST(JwtTest, RejectsWrongAudienceIssuerAndMissingSubject) {
  auto v = Verifier({"HS256"});
  Json aud = Claims();
  aud["aud"] = "someone-else";
  ExpectRejected(*v, Sign("HS256", aud), "wrong audience");
  Json aud_list = Claims();
  aud_list["aud"] = {"a", "parley"};
  EXPECT_TRUE(v->Verify(Sign("HS256", aud_list), kNow).ok());
  Json no_aud = Claims();
  no_aud.erase("aud");
  ExpectRejected(*v, Sign("HS256", no_aud), "wrong audience");
  Json iss = Claims();
  iss["iss"] = "https://evil";
  ExpectRejected(*v, Sign("HS256", iss), "wrong issuer");
  Json sub = Claims();
  sub.erase("sub");
  ExpectRejected(*v, Sign("HS256", sub), "no subject");
}

TEST(JwtTest, RejectsTamperedPayloadAndSignatures) {
  auto v = Verifier({"HS256", "ES256"}, Ec().pub);
  const std::string good = Sign("HS256", Claims());
  const size_t d1 = good.find('.'), d2 = good.rfind('.');
  Json admin = Claims();
  admin["scope"] = "admin";
  const std::string tampered =
      good.substr(0, d1 + 1) + Base64UrlEncode(admin.dump()) + good.substr(d2);
  ExpectRejected(*v, tampered, "bad signature");
  ExpectRejected(*v, good.substr(0, d2 + 1), "bad signature");  // signature stripped
  std::string es = Sign("ES256", Claims());
  es[es.size() - 3] = es[es.size() - 3] == 'A' ? 'B' : 'A';
  ExpectRejected(*v, es, "");
}

TEST(JwtTest, RejectsMalformedAndHugeTokensWithoutParsingThem) {
  auto v = Verifier({"HS256"});
  ExpectRejected(*v, std::string(64 * 1024, 'a'), "too large");
  ExpectRejected(*v, "a.b", "malformed");
  ExpectRejected(*v, "a.b.c.d", "malformed");
  ExpectRejected(*v, "!!.??.**", "malformed");
  ExpectRejected(*v, Base64UrlEncode("[1,2]") + "." + Base64UrlEncode("{}") + ".", "header");
  ExpectRejected(*v, Forge({{"alg", "HS256"}, {"crit", {"exp"}}}, Claims(), kSecret, true),
                 "critical");
}

TEST(JwtTest, RefusesWeakKeysAndUnknownAlgorithms) {
  JwtOptions o;
  o.algorithms = {"HS256"};
  o.secret = "short";
  EXPECT_FALSE(JwtVerifier::Create(o).ok());
  o.algorithms = {"RS256"};
  o.public_key_pem = Ec().pub;  // not RSA
  EXPECT_FALSE(JwtVerifier::Create(o).ok());
  o.algorithms = {"HS512"};
  EXPECT_FALSE(JwtVerifier::Create(o).ok());
}

}  // namespace
}  // namespace parley::security
