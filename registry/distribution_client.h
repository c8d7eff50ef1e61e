// The OCI distribution API (the Docker registry v2 protocol) for one
// repository: the /v2/ check and authentication (anonymous, Basic, or a
// Bearer token fetched from the realm the registry names), manifests by tag
// or digest, blobs streamed with their digest checked, uploads (monolithic
// or chunked) and cross-repository mounts. Transient failures are retried
// with backoff.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "registry/auth_file.h"
#include "registry/http_client.h"

namespace burrow::registry {

struct RegistryEndpoint {
  std::string host;       // "registry.example:5000"
  bool insecure = false;  // TLS not verified, and plain http when https fails
  TlsConfig tls;
};

enum class Access { kPull, kPush };

struct FetchedManifest {
  std::string bytes;
  std::string media_type;  // Content-Type, or detected from the document
  std::string digest;      // sha256 of bytes
};

// Called with the bytes moved so far.
using Progress = std::function<void(int64_t)>;

class DistributionClient {
 public:
  // Checks /v2/ and authenticates for `repository` ("team/app"); an empty
  // repository (login, catalog) authenticates for the registry alone.
  static base::Result<std::unique_ptr<DistributionClient>> connect(
      const RegistryEndpoint& endpoint, std::string repository, Access access,
      std::optional<Credentials> login);

  // Another connection with this one's scheme and authorization, for a
  // second download thread.
  base::Result<std::unique_ptr<DistributionClient>> clone() const;

  const std::string& host() const { return endpoint_.host; }
  const std::string& repository() const { return repository_; }
  // "https" or "http", as the /v2/ check found.
  const std::string& scheme() const { return scheme_; }

  // `reference` is a tag or "sha256:..."; a digest reference must match.
  base::Result<FetchedManifest> get_manifest(std::string_view reference);
  // Streams a blob into `fd` (truncated first); its size and digest must
  // match. A transient failure starts the blob again.
  base::Status fetch_blob(std::string_view digest, int64_t size, int fd, const Progress& progress);
  base::Result<std::string> fetch_blob_bytes(std::string_view digest, int64_t size);
  base::Result<bool> has_blob(std::string_view digest);
  // Asks the registry to link a blob from another repository on it; false
  // when it would not.
  base::Result<bool> mount_blob(std::string_view digest, std::string_view from_repository);
  // Uploads `size` bytes of `fd` (from offset 0) in one request, or in
  // chunks when larger than kChunkSize.
  base::Status upload_blob(int fd, std::string_view digest, int64_t size, const Progress& progress);
  // Returns the digest the registry reports (or ours).
  base::Result<std::string> put_manifest(std::string_view reference, std::string_view bytes,
                                         std::string_view media_type);
  base::Result<std::vector<std::string>> list_tags();
  base::Result<std::vector<std::string>> catalog(int limit);

  static constexpr int64_t kChunkSize = 32 << 20;

 private:
  DistributionClient(RegistryEndpoint endpoint, std::string repository, Access access,
                     std::optional<Credentials> login, HttpClient http)
      : endpoint_(std::move(endpoint)),
        repository_(std::move(repository)),
        access_(access),
        login_(std::move(login)),
        http_(std::move(http)) {}

  base::Status ping();
  // Sends with our Authorization; on 401 authenticates from its challenge
  // once and sends again. Transient failures are retried when `retry`.
  base::Result<HttpResponse> send(HttpRequest request, bool retry = true);
  base::Result<HttpResponse> send_retrying(const HttpRequest& request, bool retry);
  base::Status authenticate(const HttpResponse& unauthorized);
  base::Status fetch_token(const std::map<std::string, std::string>& params);
  std::string url(std::string_view path) const;
  std::string resolve_location(const HttpResponse& response) const;
  base::Result<std::string> start_upload(std::optional<std::string_view> mount_from,
                                         std::string_view digest, bool& mounted);
  base::Status upload_chunks(std::string location, int fd, std::string_view digest, int64_t size,
                             const Progress& progress);

  RegistryEndpoint endpoint_;
  std::string repository_;
  Access access_;
  std::optional<Credentials> login_;
  HttpClient http_;
  std::string scheme_ = "https";
  std::string authorization_;  // "Authorization: ..." header, or empty
};

// The registry's error for a failed response, as its JSON body says
// ("manifest unknown", "blob unknown to registry"), else the HTTP status.
std::string describe_failure(const HttpResponse& response);

}  // namespace burrow::registry
