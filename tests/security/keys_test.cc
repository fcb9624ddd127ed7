// API keys: creation, hashing at rest, verification, expiry, revocation, rotation, last-used,
// and the crypto helpers they rest on.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "security/api_keys.h"
#include "security/crypto.h"
#include "support/server_process.h"

namespace parley::security {
namespace {

using parley::testing::TempDir;

TEST(CryptoTest, Base64UrlRoundTripsAndRejectsNonCanonicalInput) {
  for (const std::string& s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                       "foobar", std::string("\0\xff\xfe", 3)}) {
    const auto enc = Base64UrlEncode(s);
    EXPECT_EQ(enc.find('='), std::string::npos);
    EXPECT_EQ(Base64UrlDecode(enc), s);
  }
  EXPECT_FALSE(Base64UrlDecode("Zm9v+"));  // '+' is not base64url
  EXPECT_FALSE(Base64UrlDecode("Zm9v="));  // no padding
  EXPECT_FALSE(Base64UrlDecode("Zh"));     // non-zero trailing bits ("Zg" is canonical)
  EXPECT_FALSE(Base64UrlDecode("Z"));
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = KeyStore::Open(dir_.File("sub/keys.db"));
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }
  TempDir dir_;
  std::unique_ptr<KeyStore> store_;
  const int64_t now_ = 1'800'000'000;
};

TEST_F(KeyStoreTest, CreatedKeyVerifiesWithItsScopesAndIsStoredOnlyAsAHash) {
  auto k = store_->Create("ci", kScopeChat | kScopeKbRead, 0, now_);
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(KeyStore::LooksLikeKey(k->key)) << k->key;
  auto v = store_->Verify(k->key, now_);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->id, k->info.id);
  EXPECT_EQ(v->scopes, kScopeChat | kScopeKbRead);
  EXPECT_TRUE(v->hash.empty()) << "hashes never leave the store";
  store_.reset();
  std::ifstream in(dir_.File("sub/keys.db"), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string secret = k->key.substr(16);
  EXPECT_EQ(ss.str().find(secret), std::string::npos) << "the secret must not be stored";
  EXPECT_NE(ss.str().find(KeyStore::HashKey(k->key)), std::string::npos);
}

TEST_F(KeyStoreTest, WrongMalformedAndWhitespacePaddedKeysGetTheSameError) {
  auto k = store_->Create("ci", kScopeChat, 0, now_);
  ASSERT_TRUE(k.ok());
  std::string flipped = k->key;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  std::string other_id = k->key;
  other_id[5] = other_id[5] == '0' ? '1' : '0';
  for (const std::string& bad : {flipped, other_id, k->key + " ", k->key + "\t", " " + k->key,
                                 k->key.substr(0, 58), std::string("pk_"), std::string("")}) {
    auto v = store_->Verify(bad, now_);
    ASSERT_FALSE(v.ok()) << "'" << bad << "'";
    EXPECT_EQ(v.error().code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(v.error().message, "invalid API key or token");
    EXPECT_EQ(v.error().message.find(k->key.substr(16)), std::string::npos);
  }
}

TEST_F(KeyStoreTest, ExpiredAndRevokedKeysAreRefusedLikeUnknownOnes) {
  auto exp = store_->Create("short", kScopeChat, 60, now_);
  auto rev = store_->Create("gone", kScopeChat, 0, now_);
  ASSERT_TRUE(exp.ok() && rev.ok());
  EXPECT_TRUE(store_->Verify(exp->key, now_ + 59).ok());
  const auto e = store_->Verify(exp->key, now_ + 60);
  ASSERT_FALSE(e.ok());
  ASSERT_TRUE(store_->Revoke(rev->info.id, now_).ok());
  const auto r = store_->Verify(rev->key, now_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(e.error().message, r.error().message);
  EXPECT_EQ(e.error().reason, r.error().reason);
  EXPECT_EQ(store_->Revoke(rev->info.id, now_).error().code, ErrorCode::kNotFound);
}

TEST_F(KeyStoreTest, RotationKeepsTwoLiveKeysUntilTheGracePeriodEnds) {
  auto old = store_->Create("svc", kScopeKbWrite, 0, now_);
  ASSERT_TRUE(old.ok());
  auto fresh = store_->Rotate(old->info.id, 3600, now_ + 10);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  EXPECT_NE(fresh->key, old->key);
  EXPECT_EQ(fresh->info.scopes, kScopeKbWrite);
  EXPECT_EQ(fresh->info.rotated_from, old->info.id);
  EXPECT_TRUE(store_->Verify(old->key, now_ + 100).ok());
  EXPECT_TRUE(store_->Verify(fresh->key, now_ + 100).ok());
  EXPECT_FALSE(store_->Verify(old->key, now_ + 10 + 3600).ok());
  EXPECT_TRUE(store_->Verify(fresh->key, now_ + 10 + 3600).ok());
}

TEST_F(KeyStoreTest, RecordsLastUsedTime) {
  auto k = store_->Create("ci", kScopeChat, 0, now_);
  ASSERT_TRUE(store_->Verify(k->key, now_ + 5).ok());
  store_->FlushLastUsed();
  auto list = store_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().last_used_at, now_ + 5);
}

TEST_F(KeyStoreTest, SeesKeysRevokedByAnotherProcess) {
  auto k = store_->Create("ci", kScopeChat, 0, now_);
  ASSERT_TRUE(store_->Verify(k->key, now_).ok());
  auto other = KeyStore::Open(dir_.File("sub/keys.db"));
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Revoke(k->info.id, now_).ok());
  // The store re-checks the database at most once a second.
  bool refused = false;
  for (int i = 0; i < 30 && !refused; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    refused = !store_->Verify(k->key, now_).ok();
  }
  EXPECT_TRUE(refused);
}

TEST(ScopesTest, ParsesNamesAndRoutesNeedTheRightScope) {
  std::string bad;
  EXPECT_EQ(ParseScopes("chat,kb:read"), kScopeChat | kScopeKbRead);
  EXPECT_EQ(ParseScopes("chat kb:write"), kScopeChat | kScopeKbWrite);
  EXPECT_FALSE(ParseScopes("chat,root", &bad));
  EXPECT_EQ(bad, "root");
  EXPECT_EQ(ScopeNames(kScopeChat | kScopeAdmin), "chat,admin");
  EXPECT_TRUE(Grants(kScopeAdmin, kScopeKbWrite));
  EXPECT_FALSE(Grants(kScopeKbRead, kScopeKbWrite));

  RoutePolicy p("/metrics", false);
  EXPECT_EQ(p.For("GET", "/health").access, Access::kPublic);
  EXPECT_EQ(p.For("GET", "/ready").access, Access::kPublic);
  EXPECT_EQ(p.For("GET", "/metrics").scope, kScopeMetrics);
  EXPECT_EQ(RoutePolicy("/metrics", true).For("GET", "/metrics").access, Access::kPublic);
  EXPECT_EQ(p.For("PUT", "/admin/log_level").scope, kScopeAdmin);
  EXPECT_EQ(p.For("POST", "/v1/chat/completions").scope, kScopeChat);
  EXPECT_EQ(p.For("POST", "/v1/dialog").scope, kScopeChat);
  EXPECT_EQ(p.For("GET", "/v1/kb/documents/{id}").scope, kScopeKbRead);
  EXPECT_EQ(p.For("DELETE", "/v1/kb/documents/{id}").scope, kScopeKbWrite);
  EXPECT_EQ(p.For("POST", "/v1/kb/documents").scope, kScopeKbWrite);
  EXPECT_EQ(p.For("GET", "/v1/something/new").access, Access::kAuthenticated);
  EXPECT_EQ(p.For("GET", "").access, Access::kAuthenticated);  // unknown route
}

}  // namespace
}  // namespace parley::security
