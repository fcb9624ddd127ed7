// `parley audit verify`: re-computes the hash chain of audit files and reports the first
// record that was altered, removed or moved.
#include <algorithm>
#include <fstream>
#include <unordered_set>

#include "security/audit.h"

namespace parley::security {
namespace {

struct Rec {
  std::string file;
  size_t line = 0;
  bool parsed = false, hash_ok = false;
  uint64_t seq = 0;
  std::string prev, hash;
};

bool IsHex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Rec ParseLine(const std::string& file, size_t n, std::string_view line, const std::string& key) {
  Rec r{file, n};
  const size_t h = line.rfind(",\"hash\":\"");
  const size_t p = line.find(",\"prev\":\"");
  if (h == std::string_view::npos || p == std::string_view::npos || h + 9 + 64 + 2 != line.size() ||
      line.substr(h + 9 + 64) != "\"}") {
    return r;
  }
  int64_t t;
  if (!ParseChainFields(line, &r.seq, nullptr, &t)) return r;
  r.hash = std::string(line.substr(h + 9, 64));
  r.prev = std::string(line.substr(p + 9, 64));
  if (!IsHex64(r.hash) || !IsHex64(r.prev)) return r;
  r.parsed = true;
  r.hash_ok = AuditLog::ChainHash(key, r.prev, line.substr(0, h)) == r.hash;
  return r;
}

std::string Where(const Rec& r) { return r.file + ":" + std::to_string(r.line) + ": "; }

}  // namespace

VerifyReport VerifyAuditFiles(const std::vector<std::string>& files, const std::string& key) {
  VerifyReport rep;
  std::vector<std::vector<Rec>> per_file;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      rep.ok = false;
      rep.problem = f + ": cannot read the file";
      return rep;
    }
    std::vector<Rec> recs;
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.empty() && in.peek() == EOF) break;
      recs.push_back(ParseLine(f, n, line, key));
    }
    per_file.push_back(std::move(recs));
  }
  // Chain order: by the first sequence number in each file, whatever order they were given in.
  std::stable_sort(per_file.begin(), per_file.end(), [](const auto& a, const auto& b) {
    const uint64_t sa = a.empty() ? 0 : a.front().seq, sb = b.empty() ? 0 : b.front().seq;
    return sa < sb;
  });
  std::vector<Rec> all;
  for (auto& v : per_file) all.insert(all.end(), v.begin(), v.end());
  std::unordered_set<uint64_t> seqs;
  for (const auto& r : all) seqs.insert(r.seq);
  const auto fail = [&](const Rec& r, std::string why) {
    rep.ok = false;
    rep.problem = Where(r) + why;
    return rep;
  };
  uint64_t expected = 0;
  std::string last_hash;
  for (size_t i = 0; i < all.size(); ++i) {
    const Rec& r = all[i];
    if (!r.parsed) return fail(r, "not a valid audit record: altered or truncated");
    if (!r.hash_ok) {
      return fail(r, "record seq " + std::to_string(r.seq) +
                         " altered: its hash does not match its content" +
                         (key.empty() ? " (if the log uses an HMAC key, pass --key-file)" : ""));
    }
    if (i == 0) {
      if (r.seq == 1 && r.prev != kGenesisHash) return fail(r, "first record has a bad prev");
      expected = r.seq;
      last_hash = r.prev;
    }
    if (r.seq > expected) {
      if (seqs.count(expected)) {
        return fail(r, "reordered: record seq " + std::to_string(r.seq) + " comes before seq " +
                           std::to_string(expected));
      }
      return fail(r, "removed: record" + std::string(r.seq - expected > 1 ? "s" : "") + " seq " +
                         std::to_string(expected) +
                         (r.seq - expected > 1 ? ".." + std::to_string(r.seq - 1) : "") +
                         " missing before this line");
    }
    if (r.seq < expected) {
      return fail(r, "reordered or duplicated: record seq " + std::to_string(r.seq) +
                         " after seq " + std::to_string(expected - 1));
    }
    if (r.prev != last_hash) {
      return fail(r,
                  "chain broken: prev is not the hash of record seq " + std::to_string(r.seq - 1));
    }
    expected = r.seq + 1;
    last_hash = r.hash;
    ++rep.records;
  }
  return rep;
}

}  // namespace parley::security
