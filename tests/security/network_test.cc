// Client address resolution behind proxies, allow/deny lists and the per-IP connection cap.
#include "security/network.h"

#include <gtest/gtest.h>

namespace parley::security {
namespace {

ip::CidrSet Set(std::initializer_list<const char*> items) {
  std::vector<ip::Cidr> v;
  for (const char* s : items) v.push_back(*ip::ParseCidr(s));
  return ip::CidrSet(std::move(v));
}

http::Request From(const std::string& peer, http::Headers headers = {}) {
  http::Request r;
  r.peer_ip = peer;
  r.headers = std::move(headers);
  return r;
}

const ip::CidrSet kProxies = Set({"10.0.0.0/8", "::1/128"});

TEST(ClientIpTest, IgnoresForwardingHeadersFromUntrustedPeers) {
  EXPECT_EQ(ClientIp(From("203.0.113.9", {{"X-Forwarded-For", "1.2.3.4"}}), kProxies),
            "203.0.113.9");
  EXPECT_EQ(ClientIp(From("203.0.113.9", {{"Forwarded", "for=1.2.3.4"}}), kProxies), "203.0.113.9");
}

TEST(ClientIpTest, TakesTheRightMostUntrustedHopFromTrustedProxies) {
  // A client-supplied spoof on the left is skipped: the proxy appended the real address.
  EXPECT_EQ(ClientIp(From("10.0.0.2", {{"X-Forwarded-For", "6.6.6.6, 198.51.100.7, 10.0.0.5"}}),
                     kProxies),
            "198.51.100.7");
  EXPECT_EQ(ClientIp(From("10.0.0.2",
                          {{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "198.51.100.7"}}),
                     kProxies),
            "198.51.100.7");
  EXPECT_EQ(ClientIp(From("::1", {{"X-Forwarded-For", "[2001:db8::1]:4711"}}), kProxies),
            "2001:db8::1");
  EXPECT_EQ(ClientIp(From("10.0.0.2", {{"X-Forwarded-For", "::ffff:198.51.100.7"}}), kProxies),
            "198.51.100.7");
  EXPECT_EQ(ClientIp(From("10.0.0.2", {{"X-Forwarded-For", "10.1.1.1, 10.0.0.3"}}), kProxies),
            "10.1.1.1");
}

TEST(ClientIpTest, ReadsRfc7239Forwarded) {
  EXPECT_EQ(ClientIp(From("10.0.0.2",
                          {{"Forwarded", "for=6.6.6.6, for=\"[2001:db8::7]:80\";proto=https"}}),
                     kProxies),
            "2001:db8::7");
  EXPECT_EQ(ClientIp(From("10.0.0.2", {{"Forwarded", "for=192.0.2.60;proto=http;by=10.0.0.2"}}),
                     kProxies),
            "192.0.2.60");
}

TEST(ClientIpTest, MalformedHeadersFromTrustedProxiesFallBackToThePeer) {
  for (const char* bad : {"", "not-an-ip", "1.2.3.4, , 5.6.7.8", "1.2.3.999", "unknown",
                          "[2001:db8::1", "1.2.3.4:port", "1.2.3.4 5.6.7.8"}) {
    EXPECT_EQ(ClientIp(From("10.0.0.2", {{"X-Forwarded-For", bad}}), kProxies), "10.0.0.2") << bad;
  }
  for (const char* bad : {"for=unknown", "for=_hidden", "for=1.2.3.4;for=5.6.7.8", "proto=http"}) {
    EXPECT_EQ(ClientIp(From("10.0.0.2", {{"Forwarded", bad}}), kProxies), "10.0.0.2") << bad;
  }
}

TEST(NetworkPolicyTest, DenyWinsOverAllowAndMappedAddressesMatchV4Rules) {
  NetworkPolicy open;
  EXPECT_TRUE(open.Allows("203.0.113.1"));
  NetworkPolicy p(Set({"192.168.0.0/16", "2001:db8::/32"}), Set({"192.168.66.0/24"}));
  EXPECT_TRUE(p.Allows("192.168.1.10"));
  EXPECT_TRUE(p.Allows("::ffff:192.168.1.10"));
  EXPECT_FALSE(p.Allows("192.168.66.10"));
  EXPECT_FALSE(p.Allows("::ffff:192.168.66.10"));
  EXPECT_TRUE(p.Allows("2001:db8:1::5"));
  EXPECT_FALSE(p.Allows("2001:db9::5"));
  EXPECT_FALSE(p.Allows("8.8.8.8"));
  EXPECT_FALSE(p.Allows("garbage"));
}

TEST(ConnectionLimiterTest, CapsOpenConnectionsPerAddress) {
  ConnectionLimiter c(2);
  EXPECT_TRUE(c.Admit("1.1.1.1"));
  EXPECT_TRUE(c.Admit("1.1.1.1"));
  EXPECT_FALSE(c.Admit("1.1.1.1"));
  EXPECT_TRUE(c.Admit("2.2.2.2"));
  c.Release("1.1.1.1");
  EXPECT_TRUE(c.Admit("1.1.1.1"));
  EXPECT_EQ(c.Open("1.1.1.1"), 2);
  ConnectionLimiter unlimited(0);
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(unlimited.Admit("1.1.1.1"));
}

}  // namespace
}  // namespace parley::security
