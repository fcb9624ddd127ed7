// Integration tests of the knowledge base: the real parley binary with a knowledge folder and
// the example flow, spoken to over real sockets: uploads (JSON and multipart), every kind of bad
// input from the issue, search, cited dialog answers, kill -9 during ingestion, and the
// command-line tools (kb add/list/remove, eval retrieval).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <thread>

#include "knowledge/pdf_fixture.h"
#include "support/server_process.h"

namespace parley::testing {
namespace {

using Json = nlohmann::json;

Json Body(const HttpReply& r) { return Json::parse(r.body, nullptr, false); }

std::string Config(const TempDir& dir, const std::string& extra = "") {
  return "dialog:\n  flow: " + SourceDir() +
         "/examples/customer_service.yaml\n  store: " + dir.File("parley.db") +
         "\nknowledge:\n  dir: " + dir.File("kb") + "\n  max_document_bytes: 64KiB\n  paths: [" +
         SourceDir() + "/examples/kb]\n" + extra + "log:\n  level: warn\n";
}

HttpReply Upload(uint16_t port, const Json& body) {
  return Send(port, "POST", "/v1/kb/documents", body.dump(), {"Content-Type: application/json"});
}

std::string Base64(const std::string& in) {
  static const char* k = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {k[n >> 18], k[(n >> 12) & 63], k[(n >> 6) & 63], k[n & 63]};
  }
  if (i + 1 == in.size()) {
    const uint32_t n = uint8_t(in[i]) << 16;
    out += {k[n >> 18], k[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {k[n >> 18], k[(n >> 12) & 63], k[(n >> 6) & 63], '='};
  }
  return out;
}

class KbServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(server_.started()) << server_.Output(); }

  void ExpectError(const HttpReply& r, int status, const std::string& code,
                   const std::string& what) {
    EXPECT_EQ(r.status, status) << what << ": " << r.raw;
    const Json j = Body(r);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << what << ": " << r.raw;
    EXPECT_EQ(j["error"]["code"], code) << what << ": " << r.raw;
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
    EXPECT_EQ(Get(server_.port(), "/health").status, 200);  // still serving
  }

  Json Search(const std::string& q_encoded, int k = 3) {
    auto r = Get(server_.port(), "/v1/kb/search?q=" + q_encoded + "&k=" + std::to_string(k));
    EXPECT_EQ(r.status, 200) << r.raw;
    return Body(r);
  }

  TempDir dir_;
  ServerProcess server_{Config(dir_)};
};

// What the server process has mapped (its shared libraries among them).
std::string Maps(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(KbServerTest, PdfSupportIsLoadedOnlyWithTheFirstPdf) {
  // poppler and its libraries cost ~3.5 MB of resident memory: not paid until a PDF arrives.
  EXPECT_EQ(Maps(server_.pid()).find("libpoppler"), std::string::npos);
  auto pdf = Upload(server_.port(),
                    {{"name", "guide.pdf"},
                     {"content_base64", Base64(MakePdf({"Descale the kettle every month."}))}});
  ASSERT_EQ(pdf.status, 201) << pdf.raw;
  EXPECT_EQ(Search("descale%20kettle")["hits"][0]["name"], "guide.pdf");
  EXPECT_NE(Maps(server_.pid()).find("libparley_pdf.so"), std::string::npos);
}

TEST_F(KbServerTest, LoadsConfiguredPathsAtStart) {
  auto r = Get(server_.port(), "/v1/kb/documents");
  ASSERT_EQ(r.status, 200) << r.raw;
  const Json j = Body(r);
  EXPECT_EQ(j["object"], "list");
  EXPECT_GE(j["data"].size(), 5u);
  for (const auto& d : j["data"]) {
    EXPECT_EQ(d["hash"].get<std::string>().size(), 64u);
    EXPECT_GT(d["chunks"].get<int>(), 0);
    EXPECT_GT(d["created_ms"].get<int64_t>(), 0);
    EXPECT_FALSE(d["source"].get<std::string>().empty());
  }
}

TEST_F(KbServerTest, UploadsByJsonAndMultipartSearchAndDelete) {
  auto a = Upload(
      server_.port(),
      {{"name", "returns.md"}, {"content", "# Returns\nReturns are accepted within 45 days.\n"}});
  ASSERT_EQ(a.status, 201) << a.raw;
  const int64_t id = Body(a)["document"]["id"];
  EXPECT_EQ(Body(a)["duplicate"], false);
  auto dup = Upload(
      server_.port(),
      {{"name", "again.md"}, {"content", "# Returns\nReturns are accepted within 45 days.\n"}});
  ASSERT_EQ(dup.status, 200) << dup.raw;
  EXPECT_EQ(Body(dup)["duplicate"], true);
  EXPECT_EQ(Body(dup)["document"]["id"], id);

  const std::string boundary = "----parleyBoundary7MA4YWxk";
  const std::string multipart =
      "--" + boundary +
      "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nSizes\r\n"
      "--" +
      boundary +
      "\r\nContent-Disposition: form-data; name=\"file\"; "
      "filename=\"sizes.txt\"\r\nContent-Type: text/plain\r\n\r\n"
      "Shoe sizes run large; order half a size down.\r\n--" +
      boundary + "--\r\n";
  auto m = Send(server_.port(), "POST", "/v1/kb/documents", multipart,
                {"Content-Type: multipart/form-data; boundary=" + boundary});
  ASSERT_EQ(m.status, 201) << m.raw;
  EXPECT_EQ(Body(m)["document"]["title"], "Sizes");
  EXPECT_EQ(Body(m)["document"]["kind"], "text");

  Json hits = Search("returns%20accepted%20days");
  ASSERT_FALSE(hits["hits"].empty()) << hits;
  EXPECT_EQ(hits["hits"][0]["name"], "returns.md");
  EXPECT_GT(hits["hits"][0]["score"].get<double>(), 0);
  EXPECT_FALSE(hits["hits"][0]["snippet"].get<std::string>().empty());
  EXPECT_EQ(hits["mode"], "lexical");

  auto del = Send(server_.port(), "DELETE", "/v1/kb/documents/" + std::to_string(id), "");
  ASSERT_EQ(del.status, 200) << del.raw;
  EXPECT_EQ(Body(del)["deleted"], true);
  hits = Search("returns%20accepted%2045%20days");
  for (const auto& h : hits["hits"]) EXPECT_NE(h["name"], "returns.md");
  ExpectError(Send(server_.port(), "DELETE", "/v1/kb/documents/" + std::to_string(id), ""), 404,
              "document_not_found", "deleted twice");
  ExpectError(Send(server_.port(), "DELETE", "/v1/kb/documents/abc", ""), 400, "invalid_value",
              "non-numeric id");
  const std::string metrics = Get(server_.port(), "/metrics").body;
  EXPECT_NE(metrics.find("parley_knowledge_uploads_total{result=\"added\"} 2"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("parley_knowledge_uploads_total{result=\"duplicate\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("parley_knowledge_chunks "), std::string::npos);
  const Json list = Body(Get(server_.port(), "/v1/kb/documents"));
  EXPECT_NE(metrics.find("parley_knowledge_documents " + std::to_string(list["data"].size())),
            std::string::npos)
      << metrics;
}

TEST_F(KbServerTest, BadUploadsGetClearErrorsAndTheServerKeepsServing) {
  const uint16_t p = server_.port();
  for (const std::string& name :
       std::vector<std::string>{"../../etc/passwd.md", "/etc/passwd.md", "..%2f..%2fx.md",
                                "%2e%2e%2fsecret.md", std::string("a\0b.md", 6), "dir/a.md"}) {
    ExpectError(Upload(p, {{"name", name}, {"content", "hello"}}), 400, "invalid_name", name);
  }
  ExpectError(Upload(p, {{"name", "big.md"}, {"content", std::string(70 * 1024, 'a')}}), 413,
              "document_too_large", "size limit");
  std::string junk;
  for (int i = 0; i < 2000; ++i) junk += static_cast<char>((i * 131 + 7) % 256);
  ExpectError(Upload(p, {{"name", "junk.md"}, {"content_base64", Base64(junk)}}), 415, "not_text",
              "binary junk as markdown");
  ExpectError(Upload(p, {{"name", "bad.pdf"}, {"content_base64", Base64("%PDF-1.7\ngarbage")}}),
              400, "malformed_pdf", "malformed pdf");
  ExpectError(
      Upload(p, {{"name", "locked.pdf"}, {"content_base64", Base64(MakePdf({"secret"}, true))}}),
      400, "encrypted_pdf", "encrypted pdf");
  ExpectError(Upload(p, {{"name", "empty.md"}, {"content", "\n \n"}}), 400, "empty_document",
              "empty");
  ExpectError(Upload(p, {{"name", "x.exe"}, {"content", "MZ"}}), 415, "unsupported_type", "exe");
  std::string nested;
  for (int i = 0; i < 1000; ++i) nested += "<div>";
  ExpectError(Upload(p, {{"name", "deep.html"}, {"content", nested}}), 400, "html_too_deep",
              "deeply nested html");
  ExpectError(Upload(p, {{"name", "x.md"}}), 400, "missing_field", "no content");
  ExpectError(Send(p, "POST", "/v1/kb/documents", "--x\r\n", {"Content-Type: multipart/form-data"}),
              400, "invalid_upload", "multipart without boundary");

  // Scripts in HTML are dropped: never stored, never searchable.
  auto html = Upload(p, {{"name", "page.html"},
                         {"content",
                          "<h1>Opening hours</h1><p>Open from 8 to 20.</p>"
                          "<script>stealCookies('zzqx')</script><style>.zzqy{}</style>"}});
  ASSERT_EQ(html.status, 201) << html.raw;
  EXPECT_TRUE(Search("stealCookies%20zzqx")["hits"].empty());
  EXPECT_TRUE(Search("zzqy")["hits"].empty());
  EXPECT_FALSE(Search("opening%20hours")["hits"].empty());
  auto pdf =
      Upload(p, {{"name", "manual.pdf"},
                 {"content_base64", Base64(MakePdf({"Hold the reset button ten seconds."}))}});
  ASSERT_EQ(pdf.status, 201) << pdf.raw;
  EXPECT_EQ(Search("reset%20button")["hits"][0]["name"], "manual.pdf");
}

TEST_F(KbServerTest, QueriesThatAreTooLongOrOnlyPunctuation) {
  const uint16_t p = server_.port();
  // 100 KB in the URL is past the header limit: refused before it reaches the handler.
  auto huge = Get(p, "/v1/kb/search?q=" + std::string(100 * 1024, 'a'));
  EXPECT_GE(huge.status, 400);
  EXPECT_LT(huge.status, 500);
  ExpectError(Get(p, "/v1/kb/search?q=" + std::string(5000, 'a')), 400, "query_too_long",
              "5000 characters");
  const Json punct = Search("%EF%BC%9F%EF%BC%81...%2C%2C!!");  // ？！...,,!!
  EXPECT_TRUE(punct["hits"].is_array());
  EXPECT_TRUE(punct["hits"].empty());
  ExpectError(Get(p, "/v1/kb/search"), 400, "missing_field", "no q");
  ExpectError(Get(p, "/v1/kb/search?q=x&k=0"), 400, "invalid_value", "k=0");
  ExpectError(Get(p, "/v1/kb/search?q=%FF%FE"), 400, "invalid_utf8", "bad utf-8");
}

TEST_F(KbServerTest, DialogAnswersFromTheKnowledgeBaseWithCitations) {
  auto r = Send(server_.port(), "POST", "/v1/dialog",
                Json{{"message", "空气净化器的滤网多久换一次"}}.dump());
  ASSERT_EQ(r.status, 200) << r.raw;
  const Json j = Body(r);
  EXPECT_EQ(j["source"], "knowledge") << j;
  EXPECT_NE(j["reply"].get<std::string>().find("6个月"), std::string::npos) << j;
  EXPECT_NE(j["reply"].get<std::string>().find("[1]"), std::string::npos) << j;
  ASSERT_EQ(j["citations"].size(), 1u) << j;
  const Json& c = j["citations"][0];
  EXPECT_EQ(c["name"], "清风P7空气净化器.md");
  EXPECT_EQ(c["title"], "清风 P7 空气净化器 产品说明");
  EXPECT_GT(c["doc"].get<int64_t>(), 0);
  EXPECT_GE(c["chunk"].get<int>(), 0);
  EXPECT_GT(c["score"].get<double>(), 0);
  EXPECT_FALSE(c["snippet"].get<std::string>().empty());
  // Unrelated questions still fall through to the fallback.
  auto other =
      Send(server_.port(), "POST", "/v1/dialog", Json{{"message", "今天天气怎么样"}}.dump());
  EXPECT_EQ(Body(other)["source"], "fallback") << other.raw;
}

TEST(KbGuardTest, KnowledgeAnswersPassTheOutputGuard) {
  TempDir dir;
  ServerProcess s(Config(dir, "guard:\n  words: [\"6个月\"]\n  words_action: mask\n"));
  ASSERT_TRUE(s.started()) << s.Output();
  const std::string ask = Json{{"message", "空气净化器的滤网多久换一次"}}.dump();
  const auto r = Send(s.port(), "POST", "/v1/dialog", ask);
  ASSERT_EQ(r.status, 200) << r.raw;
  const Json j = Body(r);
  EXPECT_EQ(j["source"], "knowledge") << j;
  EXPECT_EQ(r.body.find("6个月"), std::string::npos) << j;  // reply and cited snippets
  EXPECT_NE(j["reply"].get<std::string>().find("[1]"), std::string::npos) << j;
  // The streamed form is guarded too.
  const auto streamed =
      Send(s.port(), "POST", "/v1/dialog",
           Json{{"message", "空气净化器的滤网多久换一次"}, {"stream", true}}.dump());
  EXPECT_EQ(streamed.body.find("6个月"), std::string::npos) << streamed.body;
}

TEST(KbCrashTest, KillDuringIngestionLeavesAUsableIndex) {
  TempDir dir;
  std::atomic<int> acknowledged{0};
  {
    ServerProcess server(Config(dir));
    ASSERT_TRUE(server.started()) << server.Output();
    std::atomic<bool> stop{false};
    std::thread writer([&] {
      for (int i = 0; !stop; ++i) {
        std::string doc = "# Doc " + std::to_string(i) + "\n";
        for (int s = 0; s < 200; ++s)
          doc += "Sentence " + std::to_string(s) + " of doc zq" + std::to_string(i) + ". ";
        auto r =
            Upload(server.port(), {{"name", "d" + std::to_string(i) + ".md"}, {"content", doc}});
        if (r.status == 201) ++acknowledged;
        if (r.status == 0) break;
      }
    });
    while (acknowledged < 3) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_EQ(::kill(server.pid(), SIGKILL), 0);
    stop = true;
    writer.join();
  }
  ServerProcess again(Config(dir));
  ASSERT_TRUE(again.started()) << again.Output();
  const Json docs = Body(Get(again.port(), "/v1/kb/documents"));
  int uploaded = 0;
  for (const auto& d : docs["data"]) {
    if (d["name"].get<std::string>().rfind("d", 0) == 0) {
      ++uploaded;
      // Every stored document has all its chunks searchable.
      const std::string tag =
          "zq" + d["name"].get<std::string>().substr(1, d["name"].get<std::string>().size() - 4);
      const Json hits = Body(Get(again.port(), "/v1/kb/search?q=" + tag + "&k=100"));
      EXPECT_EQ(hits["hits"].size(), d["chunks"].get<size_t>()) << tag;
    }
  }
  EXPECT_GE(uploaded, acknowledged.load());
}

// Polls `check` every 50 ms for up to 10 s.
template <typename F>
bool Eventually(F check) {
  for (int i = 0; i < 200; ++i) {
    if (check()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

TEST(KbWatchTest, ChangedNewAndDeletedFilesAreFollowedWhileServing) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("docs"));
  dir.Write("docs/hours.md", "# Hours\nThe shop opens at 9 on weekdays.\n");
  dir.Write("docs/old.md", "# Old\nThe legacy zqxold program ended.\n");
  ServerProcess server("knowledge:\n  dir: " + dir.File("kb") + "\n  paths: [" + dir.File("docs") +
                       "]\n  rescan_interval: 100ms\nlog:\n  level: warn\n");
  ASSERT_TRUE(server.started()) << server.Output();
  auto top = [&](const std::string& q) {
    const Json j = Body(Get(server.port(), "/v1/kb/search?q=" + q + "&k=1"));
    return j["hits"].empty() ? std::string() : j["hits"][0]["text"].get<std::string>();
  };
  EXPECT_NE(top("shop%20opens").find("at 9"), std::string::npos);
  // Rewrite with a different size so the modification time surely differs.
  dir.Write("docs/hours.md", "# Hours\nThe shop opens at 10 on weekdays from March on.\n");
  dir.Write("docs/new.md", "# New\nThe zqxnew loyalty card launches soon.\n");
  std::filesystem::remove(dir.File("docs/old.md"));
  EXPECT_TRUE(Eventually([&] { return top("shop%20opens").find("at 10") != std::string::npos; }));
  EXPECT_TRUE(Eventually([&] { return !top("zqxnew").empty(); }));
  EXPECT_TRUE(Eventually([&] { return top("zqxold").empty(); }));
  const Json docs = Body(Get(server.port(), "/v1/kb/documents"));
  EXPECT_EQ(docs["data"].size(), 2u) << docs;
}

TEST(KbCliTest, AddListRemoveAndEvalRetrieval) {
  TempDir dir;
  dir.Write("parley.yaml", "knowledge:\n  dir: " + dir.File("kb") + "\n");
  dir.Write("notes.md", "# Notes\nThe warehouse closes at 5 pm on Fridays.\n");
  std::string out;
  ASSERT_EQ(RunCommand({ParleyBinary(), "kb", "-c", dir.File("parley.yaml"), "add",
                        dir.File("notes.md"), SourceDir() + "/examples/kb"},
                       &out),
            0)
      << out;
  EXPECT_NE(out.find("[1/"), std::string::npos) << out;  // progress lines
  EXPECT_NE(out.find("added"), std::string::npos) << out;
  ASSERT_EQ(
      RunCommand({ParleyBinary(), "kb", "-c", dir.File("parley.yaml"), "add", dir.File("notes.md")},
                 &out),
      0);
  EXPECT_NE(out.find("unchanged"), std::string::npos) << out;
  ASSERT_EQ(RunCommand({ParleyBinary(), "kb", "list", "--config", dir.File("parley.yaml")}, &out),
            0);
  EXPECT_NE(out.find("notes.md"), std::string::npos) << out;
  EXPECT_NE(out.find("faq.csv"), std::string::npos) << out;
  ASSERT_EQ(RunCommand({ParleyBinary(), "kb", "-c", dir.File("parley.yaml"), "remove", "1"}, &out),
            0)
      << out;
  EXPECT_NE(out.find("removed document 1"), std::string::npos) << out;
  EXPECT_NE(RunCommand({ParleyBinary(), "kb", "-c", dir.File("parley.yaml"), "remove", "1"}, &out),
            0);
  EXPECT_NE(RunCommand({ParleyBinary(), "kb", "-c", dir.File("parley.yaml"), "add",
                        dir.File("missing.md")},
                       &out),
            0);
  EXPECT_NE(out.find("failed"), std::string::npos) << out;

  ASSERT_EQ(RunCommand({ParleyBinary(), "eval", "retrieval", "--kb", SourceDir() + "/eval/kb",
                        "--data", SourceDir() + "/eval/kb_dev.jsonl"},
                       &out),
            0)
      << out;
  EXPECT_NE(out.find("questions: 120"), std::string::npos) << out;
  const size_t at = out.find("recall@3: ");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_GE(std::stod(out.substr(at + 10)), 0.9) << out;
  EXPECT_NE(out.find("MRR: "), std::string::npos);
}

}  // namespace
}  // namespace parley::testing
