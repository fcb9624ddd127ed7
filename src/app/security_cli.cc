#include "app/security_cli.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/security_wiring.h"
#include "app/serve.h"
#include "config/loader.h"
#include "security/api_keys.h"
#include "security/audit.h"
#include "security/jwt.h"
#include "util/clock.h"

namespace parley::app {
namespace {

std::string Date(int64_t t) {
  if (t == 0) return "-";
  const std::time_t tt = t;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool LoadConfig(const SecurityCli& cli, config::Config* out) {
  const std::string path = cli.config.empty() ? DefaultConfigPath() : cli.config;
  auto loaded = config::LoadFile(path, config::ProcessEnvironment());
  if (!loaded.ok()) {
    for (const auto& issue : loaded.issues) std::cerr << issue.ToString() << '\n';
    return false;
  }
  *out = loaded.config;
  return true;
}

int Fail(const std::string& message, int code = 1) {
  std::cerr << "parley: " << message << '\n';
  return code;
}

std::unique_ptr<security::KeyStore> OpenKeys(const SecurityCli& cli, int* rc) {
  config::Config cfg;
  if (!LoadConfig(cli, &cfg)) {
    *rc = kExitConfig;
    return nullptr;
  }
  auto store = security::KeyStore::Open(cli.db.empty() ? cfg.auth.keys_db : cli.db);
  if (!store.ok()) {
    *rc = Fail(store.error().message);
    return nullptr;
  }
  return std::move(*store);
}

void PrintKey(const security::KeyInfo& k, int64_t now) {
  const char* state = k.revoked_at ? "revoked" : k.LiveAt(now) ? "live" : "expired";
  std::cout << k.id << "  " << k.name << "  " << security::ScopeNames(k.scopes) << "  " << state
            << "  created " << Date(k.created_at) << "  expires " << Date(k.expires_at)
            << "  last used " << Date(k.last_used_at)
            << (k.rotated_from.empty() ? "" : "  rotated from " + k.rotated_from) << '\n';
}

int KeysCommand(const SecurityCli& cli) {
  int rc = 0;
  auto store = OpenKeys(cli, &rc);
  if (!store) return rc;
  const int64_t now = UnixSeconds();
  if (cli.keys_create->parsed() || cli.keys_rotate->parsed()) {
    Result<security::CreatedKey> created = security::CreatedKey{};
    if (cli.keys_create->parsed()) {
      std::string bad;
      const auto scopes = security::ParseScopes(cli.scopes, &bad);
      if (!scopes) return Fail("unknown scope '" + bad + "'", 2);
      const auto ttl = ParseSeconds(cli.expires);
      if (!ttl) return Fail("--expires: expected e.g. 90d, 12h, 30m or never", 2);
      created = store->Create(cli.name, *scopes, *ttl, now);
    } else {
      const auto grace = ParseSeconds(cli.grace);
      if (!grace) return Fail("--grace: expected e.g. 24h or 0", 2);
      created = store->Rotate(cli.id, *grace, now);
    }
    if (!created.ok()) return Fail(created.error().message);
    std::cout << created->key << '\n';
    std::cerr << "key " << created->info.id << " (" << security::ScopeNames(created->info.scopes)
              << ", expires " << Date(created->info.expires_at)
              << "): store it now, it is not shown again\n";
    return 0;
  }
  if (cli.keys_revoke->parsed()) {
    if (Status s = store->Revoke(cli.id, now); !s.ok()) return Fail(s.error().message);
    std::cout << "revoked " << cli.id << '\n';
    return 0;
  }
  auto keys = store->List();
  if (!keys.ok()) return Fail(keys.error().message);
  for (const auto& k : *keys) PrintKey(k, now);
  return 0;
}

int TokenCommand(const SecurityCli& cli) {
  config::Config cfg;
  if (!LoadConfig(cli, &cfg)) return kExitConfig;
  auto opts = SecurityOptionsFrom(cfg);
  if (!opts.ok()) return Fail(opts.error().message, kExitConfig);
  std::string alg = cli.alg;
  if (alg.empty()) alg = cfg.jwt.algorithms.empty() ? "HS256" : cfg.jwt.algorithms.front();
  std::string pem;
  if (alg != "HS256") {
    if (cfg.jwt.private_key_file.empty()) return Fail("jwt.private_key_file is not set", 2);
    auto p = ReadFileText(cfg.jwt.private_key_file, false);
    if (!p.ok()) return Fail(p.error().message);
    pem = *p;
  }
  auto signer = security::JwtSigner::Create(alg, opts->jwt.secret, pem);
  if (!signer.ok()) return Fail(signer.error().message, 2);
  std::string bad;
  if (!security::ParseScopes(cli.scopes, &bad)) return Fail("unknown scope '" + bad + "'", 2);
  const auto ttl = ParseSeconds(cli.ttl);
  if (!ttl || *ttl <= 0) return Fail("--ttl: expected e.g. 30m or 1h", 2);
  if (*ttl > opts->jwt.max_lifetime_s) {
    return Fail("--ttl is longer than jwt.max_lifetime (" +
                    std::to_string(opts->jwt.max_lifetime_s) + "s); the server would refuse it",
                2);
  }
  const int64_t now = UnixSeconds();
  nlohmann::json claims = {{"sub", cli.sub}, {"iat", now}, {"nbf", now}, {"exp", now + *ttl}};
  std::string scope = cli.scopes;
  std::replace(scope.begin(), scope.end(), ',', ' ');
  claims[cfg.jwt.scope_claim] = scope;
  const std::string aud = cli.audience.empty() ? cfg.jwt.audience : cli.audience;
  const std::string iss = cli.issuer.empty() ? cfg.jwt.issuer : cli.issuer;
  if (!aud.empty()) claims["aud"] = aud;
  if (!iss.empty()) claims["iss"] = iss;
  auto token = (*signer)->Sign(claims.dump());
  if (!token.ok()) return Fail(token.error().message);
  std::cout << *token << '\n';
  return 0;
}

int AuditVerifyCommand(const SecurityCli& cli) {
  std::string key;
  std::string key_file = cli.key_file;
  if (key_file.empty() && !cli.config.empty()) {
    config::Config cfg;
    if (!LoadConfig(cli, &cfg)) return kExitConfig;
    key_file = cfg.audit.key_file;
  }
  if (!key_file.empty()) {
    auto k = ReadFileText(key_file, true);
    if (!k.ok()) return Fail(k.error().message, 2);
    key = *k;
  }
  const auto report = security::VerifyAuditFiles(cli.files, key);
  if (!report.ok) {
    std::cout << "TAMPERED: " << report.problem << '\n';
    return 1;
  }
  std::cout << "OK: " << report.records << " records in " << cli.files.size() << " file"
            << (cli.files.size() == 1 ? "" : "s") << ", hash chain intact\n";
  return 0;
}

}  // namespace

void AddSecurityCommands(CLI::App& app, SecurityCli* c) {
  auto* keys = app.add_subcommand("keys", "Manage API keys (stored hashed in auth.keys_db).");
  keys->require_subcommand(1);
  keys->add_option("-c,--config", c->config, "Config file (default: as for serve)");
  keys->add_option("--db", c->db, "Key database (default: auth.keys_db)");
  c->keys_create = keys->add_subcommand("create", "Create a key and print it once.");
  c->keys_create->add_option("--name", c->name, "Who or what the key is for")->required();
  c->keys_create->add_option("--scopes", c->scopes, "chat,kb:read,kb:write,admin,metrics");
  c->keys_create->add_option("--expires", c->expires, "Lifetime: 90d, 12h, 30m or never");
  c->keys_list = keys->add_subcommand("list", "List keys (never their secrets).");
  c->keys_revoke = keys->add_subcommand("revoke", "Revoke a key at once.");
  c->keys_revoke->add_option("id", c->id, "Key id")->required();
  c->keys_rotate = keys->add_subcommand(
      "rotate", "Issue a replacement key; the old one keeps working for --grace.");
  c->keys_rotate->add_option("id", c->id, "Key id")->required();
  c->keys_rotate->add_option("--grace", c->grace, "How long the old key stays valid (24h)");

  c->token = app.add_subcommand("token", "Mint a JWT for testing and integration.");
  c->token->add_option("-c,--config", c->config, "Config file (jwt section)");
  c->token->add_option("--sub", c->sub, "Subject (principal id)")->required();
  c->token->add_option("--scopes", c->scopes, "Scopes, comma-separated");
  c->token->add_option("--ttl", c->ttl, "Lifetime, e.g. 30m (capped by jwt.max_lifetime)");
  c->token->add_option("--alg", c->alg, "HS256, RS256 or ES256 (default: first of jwt.algorithms)");
  c->token->add_option("--aud", c->audience, "Audience (default: jwt.audience)");
  c->token->add_option("--iss", c->issuer, "Issuer (default: jwt.issuer)");

  auto* audit = app.add_subcommand("audit", "Audit log tools.");
  audit->require_subcommand(1);
  c->audit_verify = audit->add_subcommand(
      "verify",
      "Check the hash chain of audit files; report the first altered, removed or "
      "reordered record (exit 1).");
  c->audit_verify->add_option("files", c->files, "Audit files (any order)")->required();
  c->audit_verify->add_option("--key-file", c->key_file, "HMAC key (audit.key_file)");
  c->audit_verify->add_option("-c,--config", c->config, "Take audit.key_file from this config");
}

bool RunSecurityCommand(const SecurityCli& cli, int* rc) {
  if (cli.keys_create->parsed() || cli.keys_list->parsed() || cli.keys_revoke->parsed() ||
      cli.keys_rotate->parsed()) {
    *rc = KeysCommand(cli);
    return true;
  }
  if (cli.token->parsed()) {
    *rc = TokenCommand(cli);
    return true;
  }
  if (cli.audit_verify->parsed()) {
    *rc = AuditVerifyCommand(cli);
    return true;
  }
  return false;
}

}  // namespace parley::app
