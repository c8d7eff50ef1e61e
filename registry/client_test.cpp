#include <gtest/gtest.h>

#include "registry/distribution_client.h"
#include "registry/http_client.h"
#include "registry/www_authenticate.h"

namespace burrow::registry {
namespace {

TEST(WwwAuthenticate, ParsesABearerChallenge) {
  auto challenges = parse_www_authenticate(
      R"(Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "bearer");
  EXPECT_EQ(challenges[0].params.at("realm"), "https://auth.example/token");
  EXPECT_EQ(challenges[0].params.at("service"), "registry.example");
  EXPECT_EQ(challenges[0].params.at("scope"), "repository:a/b:pull");
}

TEST(WwwAuthenticate, SchemeAndNamesAreCaseInsensitiveAndQuotesUnescaped) {
  auto challenges = parse_www_authenticate(R"(BASIC Realm="say \"hi\"")");
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "basic");
  EXPECT_EQ(challenges[0].params.at("realm"), "say \"hi\"");
}

TEST(WwwAuthenticate, SeveralChallengesInOneHeader) {
  auto challenges =
      parse_www_authenticate(R"(Basic realm="r1", Bearer realm="https://t", service=svc)");
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].scheme, "basic");
  EXPECT_EQ(challenges[0].params.at("realm"), "r1");
  EXPECT_EQ(challenges[1].scheme, "bearer");
  EXPECT_EQ(challenges[1].params.at("service"), "svc");
}

TEST(WwwAuthenticate, JunkGivesNoParamsButNoCrash) {
  EXPECT_TRUE(parse_www_authenticate("").empty());
  auto challenges = parse_www_authenticate(R"(=== "unterminated)");
  for (const auto& challenge : challenges) EXPECT_TRUE(challenge.params.empty());
  auto bare = parse_www_authenticate("Negotiate");
  ASSERT_EQ(bare.size(), 1u);
  EXPECT_EQ(bare[0].scheme, "negotiate");
}

TEST(DescribeFailure, UsesTheRegistrysErrorMessages) {
  HttpResponse response;
  response.status = 404;
  response.body =
      R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"},{"code":"X"}]})";
  EXPECT_EQ(describe_failure(response), "manifest unknown; X");
}

TEST(DescribeFailure, FallsBackToTheStatus) {
  HttpResponse response;
  response.status = 502;
  response.body = "<html>bad gateway</html>";
  EXPECT_EQ(describe_failure(response), "the registry answered HTTP 502");
}

TEST(HttpResponse, HeaderLookupByLowerCaseName) {
  HttpResponse response;
  response.headers = {
      {"www-authenticate", "Basic a"}, {"www-authenticate", "Bearer b"}, {"location", "/v2/x"}};
  EXPECT_EQ(response.header("location"), "/v2/x");
  EXPECT_EQ(response.header("missing"), std::nullopt);
  EXPECT_EQ(response.header_values("www-authenticate"),
            (std::vector<std::string>{"Basic a", "Bearer b"}));
}

TEST(Transient, ConnectionErrorsAndGatewayStatusesAreRetried) {
  EXPECT_TRUE(is_transient(base::Result<HttpResponse>(base::fail(ECONNREFUSED, "refused"))));
  EXPECT_TRUE(is_transient(base::Result<HttpResponse>(base::fail(ETIMEDOUT, "slow"))));
  EXPECT_FALSE(is_transient(base::Result<HttpResponse>(base::fail(EPROTO, "bad certificate"))));
  EXPECT_FALSE(is_transient(base::Result<HttpResponse>(base::fail(EHOSTUNREACH, "no such host"))));
  for (long status : {429L, 500L, 502L, 503L, 504L}) {
    HttpResponse response;
    response.status = status;
    EXPECT_TRUE(is_transient(response)) << status;
  }
  for (long status : {200L, 401L, 404L}) {
    HttpResponse response;
    response.status = status;
    EXPECT_FALSE(is_transient(response)) << status;
  }
}

}  // namespace
}  // namespace burrow::registry
