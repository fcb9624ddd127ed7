#include <gtest/gtest.h>

#include "http/error_response.h"
#include "http/router.h"
#include "http/sse.h"

namespace parley::http {
namespace {

// Records what the handler sent, in place of a transport.
class CapturingChannel : public ResponseChannel {
 public:
  explicit CapturingChannel(Response* out) : out_(out) {}
  void Send(Response&& r) override { *out_ = std::move(r); }
  void StartStream(Response&& head) override { *out_ = std::move(head); }
  void StreamWrite(std::string&& data) override { out_->body += data; }
  void StreamEnd() override { out_->body += "<end>"; }

 private:
  Response* out_;
};

ExchangePtr MakeExchange(std::string method, std::string path, Response* out) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  return std::make_shared<Exchange>(std::move(r), std::make_shared<CapturingChannel>(out));
}

TEST(RouterTest, MatchesLiteralAndParameterisedRoutes) {
  Router router;
  router.AddSync("GET", "/health", [](const Request&) { return Response::Json(200, "{}"); });
  router.AddSync("DELETE", "/v1/kb/documents/{id}",
                 [](const Request&) { return Response::Json(200, "{}"); });
  EXPECT_EQ(router.Find("GET", "/health").route->pattern, "/health");
  const auto m = router.Find("DELETE", "/v1/kb/documents/doc%2042");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params.at(0).second, "doc 42");
  EXPECT_FALSE(router.Find("GET", "/v1/kb/documents/1/extra").route);
  EXPECT_EQ(router.Find("POST", "/health").allow, "GET");
  EXPECT_EQ(router.Find("GET", "/v1/kb/documents/7").allow, "DELETE");
}

TEST(PipelineTest, RunsMiddlewareInOrderThenTheHandler) {
  Router router;
  std::string trace;
  router.AddSync("GET", "/x", [&](const Request& r) {
    trace += "handler(" + r.route + ")";
    return Response::Json(200, "{}");
  });
  Pipeline p(&router);
  p.Use([&](const ExchangePtr& ex, const Handler& next) {
    trace += "a>";
    ex->AddResponseHeader("X-A", "1");
    next(ex);
  });
  p.Use([&](const ExchangePtr& ex, const Handler& next) {
    trace += "b>";
    next(ex);
  });
  p.Seal();
  Response res;
  p.Dispatch(MakeExchange("GET", "/x", &res));
  EXPECT_EQ(trace, "a>b>handler(/x)");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.headers.at(0).first, "X-A");
}

TEST(PipelineTest, AnswersUnknownPathsAndMethodsWithJsonErrors) {
  Router router;
  router.AddSync("GET", "/x", [](const Request&) { return Response::Json(200, "{}"); });
  Pipeline p(&router);
  p.Seal();
  Response res;
  p.Dispatch(MakeExchange("GET", "/y", &res));
  EXPECT_EQ(res.status, 404);
  p.Dispatch(MakeExchange("PUT", "/x", &res));
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers.at(0), (std::pair<std::string, std::string>("Allow", "GET")));
}

TEST(PipelineTest, TurnsAThrowingHandlerInto500) {
  Router router;
  router.AddSync("GET", "/boom", [](const Request&) -> Response { throw std::runtime_error("x"); });
  Pipeline p(&router);
  p.Seal();
  Response res;
  p.Dispatch(MakeExchange("GET", "/boom", &res));
  EXPECT_EQ(res.status, 500);
  EXPECT_NE(res.body.find("\"type\":\"server_error\""), std::string::npos);
}

TEST(ErrorResponseTest, UsesTheOpenAiErrorShape) {
  const auto r = ErrorResponse(MakeError(ErrorCode::kInvalidArgument, "bad \"x\"", "", "x"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(
      r.body,
      R"({"error":{"message":"bad \"x\"","type":"invalid_request_error","param":"x","code":"invalid_request"}})");
  EXPECT_EQ(HttpStatus(ErrorCode::kHeaderTooLarge), 431);
  EXPECT_EQ(HttpStatus(ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatus(ErrorCode::kResourceExhausted), 429);
}

TEST(SseTest, FramesEventsAndEndsTheStream) {
  Response res;
  auto ex = MakeExchange("GET", "/s", &res);
  SseStream sse(ex);
  sse.Start();
  sse.Data("{\"a\":1}");
  sse.Event("note", "two\nlines");
  sse.End();
  sse.Data("after end");
  EXPECT_EQ(res.content_type, "text/event-stream");
  EXPECT_EQ(res.body, "data: {\"a\":1}\n\nevent: note\ndata: two\ndata: lines\n\n<end>");
}

TEST(MessageTest, DecodesQueryParameters) {
  Request r;
  r.query = "q=hello+world&k=5&bad=%zz&utf=%E4%BD%A0";
  bool found = false;
  EXPECT_EQ(r.QueryParam("q", &found), "hello world");
  EXPECT_TRUE(found);
  EXPECT_EQ(r.QueryParam("k"), "5");
  EXPECT_EQ(r.QueryParam("utf"), "你");
  r.QueryParam("missing", &found);
  EXPECT_FALSE(found);
  std::string out;
  EXPECT_FALSE(PercentDecode("%4", &out));
}

}  // namespace
}  // namespace parley::http
