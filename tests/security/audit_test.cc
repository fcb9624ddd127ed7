// The hash-chained audit log: records are written and chained, the chain survives restarts and
// rotation, and verification pinpoints altered, removed and reordered records.
#include "security/audit.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "support/server_process.h"

namespace parley::security {
namespace {

using parley::testing::TempDir;

std::vector<std::string> Lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  std::string l;
  while (std::getline(in, l)) out.push_back(l);
  return out;
}

void WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
}

void Fill(const std::string& path, int n, const std::string& key = "",
          uint64_t max_bytes = 1 << 20) {
  auto log = AuditLog::Open({path, max_bytes, 86400, key});
  ASSERT_TRUE(log.ok()) << log.error().message;
  for (int i = 0; i < n; ++i) {
    AuditRecord r;
    r.request_id = "req-" + std::to_string(i);
    r.principal = "key:abc";
    r.client_ip = "203.0.113.7";
    r.path = "/v1/kb/documents/13812345678";
    r.status = 200;
    r.detail = "mail li@example.com";
    (*log)->Append(r);
  }
  (*log)->Flush();
}

TEST(AuditTest, WritesChainedRecordsWithPiiMasked) {
  TempDir d;
  Fill(d.File("a.jsonl"), 5);
  const auto lines = Lines(d.File("a.jsonl"));
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_NE(lines[0].find("\"seq\":1,"), std::string::npos);
  EXPECT_NE(lines[0].find(std::string("\"prev\":\"") + kGenesisHash), std::string::npos);
  EXPECT_NE(lines[4].find("\"seq\":5,"), std::string::npos);
  EXPECT_EQ(lines[2].find("13812345678"), std::string::npos) << lines[2];
  EXPECT_EQ(lines[2].find("li@example.com"), std::string::npos);
  EXPECT_NE(lines[2].find("/v1/kb/documents/[mobile]"), std::string::npos);
  EXPECT_NE(lines[2].find("\"client_ip\":\"203.0.113.7\""), std::string::npos);
  const auto rep = VerifyAuditFiles({d.File("a.jsonl")}, "");
  EXPECT_TRUE(rep.ok) << rep.problem;
  EXPECT_EQ(rep.records, 5u);
}

TEST(AuditTest, ChainContinuesAcrossRestartsAndRotation) {
  TempDir d;
  Fill(d.File("a.jsonl"), 3, "k", 2048);
  Fill(d.File("a.jsonl"), 30, "k", 2048);  // a restart, then several rotations
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(d.path())) {
    files.push_back(e.path().string());
  }
  EXPECT_GT(files.size(), 3u);
  const auto rep = VerifyAuditFiles(files, "k");
  EXPECT_TRUE(rep.ok) << rep.problem;
  EXPECT_EQ(rep.records, 33u);
  EXPECT_FALSE(VerifyAuditFiles(files, "wrong-key").ok);
}

TEST(AuditTest, NothingIsLostSilentlyWhenTheQueueOverflows) {
  TempDir d;
  constexpr int kRecords = 20000;
  {
    auto log = AuditLog::Open({d.File("a.jsonl"), 1ull << 30, 86400, "", /*max_queued=*/2});
    ASSERT_TRUE(log.ok());
    AuditRecord r;
    r.path = "/x";
    for (int i = 0; i < kRecords; ++i) (*log)->Append(r);
    (*log)->Flush();
    (*log)->Append(r);  // a last record after the queue drained carries any pending count
    (*log)->Flush();
  }
  // Every record is either written or counted in an audit_dropped record of the chain.
  uint64_t written = 0, dropped = 0;
  for (const auto& line : Lines(d.File("a.jsonl"))) {
    const size_t at = line.find("\"detail\":\"");
    if (line.find("\"event\":\"audit_dropped\"") != std::string::npos && at != std::string::npos) {
      dropped += std::stoull(line.substr(at + 10));
    } else {
      ++written;
    }
  }
  EXPECT_EQ(written + dropped, kRecords + 1u);
  std::cout << "written " << written << ", dropped and recorded " << dropped << "\n";
  EXPECT_TRUE(VerifyAuditFiles({d.File("a.jsonl")}, "").ok);
}

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Fill(path_, 10);
    lines_ = Lines(path_);
    ASSERT_EQ(lines_.size(), 10u);
  }
  VerifyReport Verify() { return VerifyAuditFiles({path_}, ""); }
  TempDir dir_;
  std::string path_ = dir_.File("audit.jsonl");
  std::vector<std::string> lines_;
};

TEST_F(TamperTest, OneChangedByteIsReportedAsAltered) {
  auto l = lines_;
  l[4][l[4].find("\"status\":200") + 10] = '4';
  WriteLines(path_, l);
  const auto rep = Verify();
  ASSERT_FALSE(rep.ok);
  EXPECT_NE(rep.problem.find("audit.jsonl:5: record seq 5 altered"), std::string::npos)
      << rep.problem;
}

TEST_F(TamperTest, ARemovedLineIsReportedAsRemoved) {
  auto l = lines_;
  l.erase(l.begin() + 6);
  WriteLines(path_, l);
  const auto rep = Verify();
  ASSERT_FALSE(rep.ok);
  EXPECT_NE(rep.problem.find("audit.jsonl:7: removed: record seq 7 missing"), std::string::npos)
      << rep.problem;
}

TEST_F(TamperTest, TwoSwappedLinesAreReportedAsReordered) {
  auto l = lines_;
  std::swap(l[2], l[3]);
  WriteLines(path_, l);
  const auto rep = Verify();
  ASSERT_FALSE(rep.ok);
  EXPECT_NE(rep.problem.find("audit.jsonl:3: reordered: record seq 4 comes before seq 3"),
            std::string::npos)
      << rep.problem;
}

TEST_F(TamperTest, RecomputedHashesWithoutTheKeyStillBreakTheChain) {
  // Editing a record and recomputing its own hash leaves the next record's prev pointing at
  // the old hash.
  auto l = lines_;
  std::string& line = l[1];
  const size_t h = line.rfind(",\"hash\":\"");
  std::string body = line.substr(0, h);
  body.replace(body.find("req-1"), 5, "req-X");
  const size_t p = body.find("\"prev\":\"") + 8;
  line = body + ",\"hash\":\"" + AuditLog::ChainHash("", body.substr(p, 64), body) + "\"}";
  WriteLines(path_, l);
  const auto rep = Verify();
  ASSERT_FALSE(rep.ok);
  EXPECT_NE(rep.problem.find("audit.jsonl:3: chain broken"), std::string::npos) << rep.problem;
}

TEST_F(TamperTest, ATruncatedRecordIsReported) {
  auto l = lines_;
  l.back() = l.back().substr(0, 40);
  WriteLines(path_, l);
  const auto rep = Verify();
  ASSERT_FALSE(rep.ok);
  EXPECT_NE(rep.problem.find("audit.jsonl:10: not a valid audit record"), std::string::npos);
}

}  // namespace
}  // namespace parley::security
