#include "registry/distribution_client.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/digest.h"
#include "base/file_util.h"
#include "base/log.h"
#include "image/manifest.h"
#include "registry/curl_api.h"
#include "registry/distribution_internal.h"

namespace burrow::registry {
namespace internal {

std::string escape(std::string_view text) {
  const CurlApi& api = **curl_api();
  char* escaped = api.easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  std::string out = escaped == nullptr ? std::string(text) : escaped;
  api.free(escaped);
  return out;
}

std::string scope_for(const std::string& repository, Access access) {
  if (repository.empty()) return "";
  return "repository:" + repository + (access == Access::kPush ? ":pull,push" : ":pull");
}

void back_off(int attempt) {
  int delay_ms = 200;
  for (int i = 1; i < attempt; ++i) delay_ms *= 3;
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
}

base::Error failure(const HttpResponse& response, std::string_view what) {
  int code = response.status == 404                             ? ENOENT
             : response.status == 401 || response.status == 403 ? EACCES
                                                                : EIO;
  std::string hint = code == EACCES ? " (log in with `burrow login` or pass --creds)" : "";
  return base::Error{code, fmt::format("{}: {}{}", what, describe_failure(response), hint), 0};
}

std::string with_query(const std::string& location, std::string_view query) {
  return location + (location.find('?') == std::string::npos ? "?" : "&") + std::string(query);
}

}  // namespace internal

namespace {

using namespace internal;

constexpr std::string_view kManifestAccept =
    "Accept: application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.oci.image.index.v1+json, "
    "application/vnd.docker.distribution.manifest.v2+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr size_t kMaxManifestSize = 4 << 20;

// An insecure registry's certificate is not verified.
base::Result<HttpClient> http_client_for(const RegistryEndpoint& endpoint) {
  TlsConfig tls = endpoint.tls;
  if (endpoint.insecure) tls.verify = false;
  return HttpClient::create(tls);
}

// The strings in `field` of a JSON object body ({"tags": ["1", "2"]});
// anything else is skipped.
std::vector<std::string> string_array(const std::string& body, const char* field) {
  auto parsed = nlohmann::json::parse(body, nullptr, false);
  std::vector<std::string> values;
  if (!parsed.is_object() || !parsed.contains(field) || !parsed[field].is_array()) return values;
  for (const auto& value : parsed[field])
    if (value.is_string()) values.push_back(value.get<std::string>());
  return values;
}

}  // namespace

std::string describe_failure(const HttpResponse& response) {
  auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_object() && parsed.contains("errors") && parsed["errors"].is_array()) {
    std::string text;
    for (const auto& error : parsed["errors"]) {
      if (!error.is_object()) continue;
      std::string message = error.value("message", "");
      if (message.empty()) message = error.value("code", "");
      if (!text.empty()) text += "; ";
      text += message;
    }
    if (!text.empty()) return text;
  }
  return fmt::format("the registry answered HTTP {}", response.status);
}

base::Result<std::unique_ptr<DistributionClient>> DistributionClient::connect(
    const RegistryEndpoint& endpoint, std::string repository, Access access,
    std::optional<Credentials> login) {
  BURROW_TRY(HttpClient http, http_client_for(endpoint));
  std::unique_ptr<DistributionClient> client(new DistributionClient(
      endpoint, std::move(repository), access, std::move(login), std::move(http)));
  BURROW_CHECK(client->ping());
  return client;
}

base::Result<std::unique_ptr<DistributionClient>> DistributionClient::clone() const {
  BURROW_TRY(HttpClient http, http_client_for(endpoint_));
  std::unique_ptr<DistributionClient> copy(
      new DistributionClient(endpoint_, repository_, access_, login_, std::move(http)));
  copy->scheme_ = scheme_;
  copy->authorization_ = authorization_;
  return copy;
}

std::string DistributionClient::url(std::string_view path) const {
  return fmt::format("{}://{}/v2/{}", scheme_, endpoint_.host, path);
}

base::Result<FetchedManifest> DistributionClient::get_manifest(std::string_view reference) {
  std::string what =
      fmt::format("reading manifest {} in {}/{}", reference, endpoint_.host, repository_);
  HttpRequest request =
      http_request("GET", url(repository_ + "/manifests/" + std::string(reference)),
                   {std::string(kManifestAccept)});
  BURROW_TRY(HttpResponse response, send(request));
  if (!ok_status(response.status)) return tl::unexpected(failure(response, what));
  if (response.body.size() > kMaxManifestSize)
    return base::failf(EFBIG, "{}: the manifest is larger than 4 MiB", what);
  FetchedManifest manifest{response.body, response.header("content-type").value_or(""),
                           base::sha256_digest(response.body)};
  if (reference.starts_with("sha256:") && manifest.digest != reference)
    return base::failf(EINVAL, "{}: its content has digest {}: the registry sent the wrong data",
                       what, manifest.digest);
  auto announced = response.header("docker-content-digest");
  if (announced && announced->starts_with("sha256:") && *announced != manifest.digest)
    return base::failf(EINVAL, "{}: its content has digest {} but the registry says {}", what,
                       manifest.digest, *announced);
  // Some registries answer text/plain or application/json: trust the document.
  if (!image::is_manifest_media_type(manifest.media_type) &&
      !image::is_index_media_type(manifest.media_type)) {
    BURROW_TRY(manifest.media_type, image::detect_manifest_media_type(manifest.bytes));
  }
  return manifest;
}

base::Status DistributionClient::fetch_blob(std::string_view digest, int64_t size, int fd,
                                            const Progress& progress) {
  std::string what =
      fmt::format("fetching blob {} from {}/{}", digest, endpoint_.host, repository_);
  BURROW_TRY(std::string expected_hex, base::parse_sha256_digest(digest));
  for (int attempt = 1;; ++attempt) {
    if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0)
      return base::fail_errno("{}: truncating the download", what);
    base::Sha256 hash;
    int64_t received = 0;
    base::Status write_status = base::ok();
    HttpRequest request = http_request("GET", url(repository_ + "/blobs/" + std::string(digest)));
    request.body_sink = [&](std::string_view chunk) {
      received += static_cast<int64_t>(chunk.size());
      if (size > 0 && received > size) {
        write_status = base::failf(EINVAL, "{}: the registry sent more than the {} bytes expected",
                                   what, size);
        return false;
      }
      hash.update(chunk);
      write_status = base::write_all(fd, chunk);
      if (progress) progress(received);
      return static_cast<bool>(write_status);
    };
    auto response = send(request, false);
    if (!write_status) return write_status;
    bool transient = is_transient(response);
    if (transient && attempt < kAttempts) {
      base::debug("{}: attempt {} failed, starting again", what, attempt);
      back_off(attempt);
      continue;
    }
    if (!response) return tl::unexpected(response.error().with_context(what));
    if (!ok_status(response->status)) return tl::unexpected(failure(*response, what));
    if (size > 0 && received != size)
      return base::failf(EIO, "{}: got {} of {} bytes", what, received, size);
    std::string actual = hash.finish_hex();
    if (actual != expected_hex)
      return base::failf(EINVAL,
                         "{}: its content has digest sha256:{}: the blob is corrupt or was "
                         "tampered with",
                         what, actual);
    return base::ok();
  }
}

base::Result<std::string> DistributionClient::fetch_blob_bytes(std::string_view digest,
                                                               int64_t size) {
  std::string what =
      fmt::format("fetching blob {} from {}/{}", digest, endpoint_.host, repository_);
  if (size > static_cast<int64_t>(kMaxManifestSize))
    return base::failf(EFBIG, "{}: {} bytes is too large for a config", what, size);
  HttpRequest request = http_request("GET", url(repository_ + "/blobs/" + std::string(digest)));
  BURROW_TRY(HttpResponse response, send(request));
  if (!ok_status(response.status)) return tl::unexpected(failure(response, what));
  if (base::sha256_digest(response.body) != digest)
    return base::failf(EINVAL,
                       "{}: its content has digest {}: the blob is corrupt or was "
                       "tampered with",
                       what, base::sha256_digest(response.body));
  return response.body;
}

base::Result<bool> DistributionClient::has_blob(std::string_view digest) {
  HttpRequest request = http_request("HEAD", url(repository_ + "/blobs/" + std::string(digest)));
  BURROW_TRY(HttpResponse response, send(request));
  if (ok_status(response.status)) return true;
  if (response.status == 404) return false;
  return tl::unexpected(failure(
      response, fmt::format("checking blob {} in {}/{}", digest, endpoint_.host, repository_)));
}

base::Result<std::vector<std::string>> DistributionClient::list_tags() {
  BURROW_TRY(HttpResponse response, send(http_request("GET", url(repository_ + "/tags/list"))));
  std::string what = fmt::format("listing tags of {}/{}", endpoint_.host, repository_);
  if (!ok_status(response.status)) return tl::unexpected(failure(response, what));
  return string_array(response.body, "tags");
}

base::Result<std::vector<std::string>> DistributionClient::catalog(int limit) {
  BURROW_TRY(HttpResponse response,
             send(http_request("GET", url(fmt::format("_catalog?n={}", limit)))));
  std::string what = fmt::format("listing the repositories of {}", endpoint_.host);
  if (!ok_status(response.status)) return tl::unexpected(failure(response, what));
  return string_array(response.body, "repositories");
}

}  // namespace burrow::registry
