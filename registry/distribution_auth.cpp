// The /v2/ check and authentication: Basic, or a Bearer token from the
// realm a registry's WWW-Authenticate challenge names.
#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "base/log.h"
#include "registry/distribution_client.h"
#include "registry/distribution_internal.h"
#include "registry/www_authenticate.h"

namespace burrow::registry {

using namespace internal;

base::Status DistributionClient::ping() {
  auto response = send_retrying(http_request("GET", url("")), true);
  if (!response && endpoint_.insecure) {
    // An insecure registry may not speak TLS at all.
    base::debug("https to {} failed ({}); trying http", endpoint_.host, response.error().message);
    scheme_ = "http";
    response = send_retrying(http_request("GET", url("")), true);
  }
  if (!response) {
    auto error = response.error();
    if (error.code == EPROTO)
      error.message += fmt::format(
          ": if {} uses a self-signed certificate, put its CA in "
          "/etc/containers/certs.d/{}/ca.crt or use --tls-verify=false",
          endpoint_.host, endpoint_.host);
    return tl::unexpected(error.with_context(fmt::format("pinging registry {}", endpoint_.host)));
  }
  if (response->status == 401) {
    BURROW_CHECK(authenticate(*response));
    BURROW_TRY(auto again, send_retrying(http_request("GET", url("")), true));
    if (again.status == 401)
      return base::failf(EACCES, "authenticating to {}: invalid username/password", endpoint_.host);
    return base::ok();
  }
  if (!ok_status(response->status))
    return base::failf(EIO, "pinging registry {}: {}", endpoint_.host, describe_failure(*response));
  return base::ok();
}

base::Result<HttpResponse> DistributionClient::send_retrying(const HttpRequest& request,
                                                             bool retry) {
  HttpRequest with_auth = request;
  if (!authorization_.empty()) with_auth.headers.push_back(authorization_);
  base::Result<HttpResponse> attempt = base::fail(EIO, "not sent");
  for (int i = 1; i <= kAttempts; ++i) {
    if (i > 1) back_off(i - 1);
    attempt = http_.perform(with_auth);
    if (!retry || !is_transient(attempt)) break;
    base::debug("{} {}: attempt {} failed, retrying", request.method, request.url, i);
  }
  return attempt;
}

base::Result<HttpResponse> DistributionClient::send(HttpRequest request, bool retry) {
  BURROW_TRY(HttpResponse response, send_retrying(request, retry));
  if (response.status != 401) return response;
  // A token for another scope, or one that expired: authenticate again.
  BURROW_CHECK(authenticate(response));
  return send_retrying(request, retry);
}

base::Status DistributionClient::authenticate(const HttpResponse& unauthorized) {
  std::vector<Challenge> challenges;
  for (const auto& value : unauthorized.header_values("www-authenticate"))
    for (auto& challenge : parse_www_authenticate(value))
      challenges.push_back(std::move(challenge));
  for (const auto& challenge : challenges) {
    if (challenge.scheme == "bearer") return fetch_token(challenge.params);
  }
  for (const auto& challenge : challenges) {
    if (challenge.scheme != "basic") continue;
    if (!login_)
      return base::failf(EACCES,
                         "{} requires authentication: run `burrow login {}` or pass --creds",
                         endpoint_.host, endpoint_.host);
    authorization_ =
        "Authorization: Basic " + base::base64_encode(login_->username + ":" + login_->password);
    return base::ok();
  }
  return base::failf(EACCES, "{} refused access and named no authentication scheme we know",
                     endpoint_.host);
}

base::Status DistributionClient::fetch_token(const std::map<std::string, std::string>& params) {
  auto realm = params.find("realm");
  if (realm == params.end() || !realm->second.starts_with("http"))
    return base::failf(EACCES, "{} asked for a bearer token without a usable realm",
                       endpoint_.host);
  std::string token_url = realm->second;
  char separator = token_url.find('?') == std::string::npos ? '?' : '&';
  if (auto service = params.find("service"); service != params.end()) {
    token_url += separator + ("service=" + escape(service->second));
    separator = '&';
  }
  std::string scope = scope_for(repository_, access_);
  if (scope.empty()) {
    if (auto named = params.find("scope"); named != params.end()) scope = named->second;
  }
  if (!scope.empty()) token_url += separator + ("scope=" + escape(scope));
  HttpRequest request = http_request("GET", token_url);
  if (login_)
    request.headers.push_back("Authorization: Basic " +
                              base::base64_encode(login_->username + ":" + login_->password));
  BURROW_TRY(HttpResponse response, http_.perform(request));
  if (response.status == 401 || response.status == 403)
    return base::failf(EACCES, "authenticating to {}: invalid username/password", endpoint_.host);
  if (!ok_status(response.status))
    return base::failf(EACCES, "getting a token from {}: {}", realm->second,
                       describe_failure(response));
  auto body = nlohmann::json::parse(response.body, nullptr, false);
  std::string token;
  if (body.is_object()) {
    token = body.value("token", "");
    if (token.empty()) token = body.value("access_token", "");
  }
  if (token.empty())
    return base::failf(EACCES, "the token server {} returned no token", realm->second);
  authorization_ = "Authorization: Bearer " + token;
  return base::ok();
}

}  // namespace burrow::registry
