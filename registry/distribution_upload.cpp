// Uploads: monolithic or chunked blob uploads, cross-repository mounts and
// manifests.
#include <unistd.h>

#include <algorithm>

#include "base/digest.h"
#include "registry/distribution_client.h"
#include "registry/distribution_internal.h"

namespace burrow::registry {

using namespace internal;

std::string DistributionClient::resolve_location(const HttpResponse& response) const {
  std::string location = response.header("location").value_or("");
  if (location.starts_with("/")) return fmt::format("{}://{}{}", scheme_, endpoint_.host, location);
  return location;
}

base::Result<std::string> DistributionClient::start_upload(
    std::optional<std::string_view> mount_from, std::string_view digest, bool& mounted) {
  std::string path = repository_ + "/blobs/uploads/";
  if (mount_from) path += fmt::format("?mount={}&from={}", escape(digest), escape(*mount_from));
  HttpRequest request = http_request("POST", url(path), {"Content-Length: 0"});
  BURROW_TRY(HttpResponse response, send(request));
  mounted = response.status == 201;
  if (mounted) return std::string();
  std::string location = resolve_location(response);
  if (response.status != 202 || location.empty())
    return tl::unexpected(
        failure(response, fmt::format("starting an upload to {}/{}", endpoint_.host, repository_)));
  return location;
}

base::Result<bool> DistributionClient::mount_blob(std::string_view digest,
                                                  std::string_view from_repository) {
  bool mounted = false;
  BURROW_CHECK(start_upload(from_repository, digest, mounted));
  // A registry that will not mount has opened an upload session instead; it
  // expires by itself.
  return mounted;
}

base::Status DistributionClient::upload_blob(int fd, std::string_view digest, int64_t size,
                                             const Progress& progress) {
  bool mounted = false;
  BURROW_TRY(std::string location, start_upload(std::nullopt, digest, mounted));
  if (size > kChunkSize) return upload_chunks(location, fd, digest, size, progress);
  if (::lseek(fd, 0, SEEK_SET) != 0) return base::fail_errno("rewinding blob {}", digest);
  HttpRequest request = http_request("PUT", with_query(location, "digest=" + escape(digest)),
                                     {"Content-Type: application/octet-stream"});
  request.body_fd = fd;
  request.body_length = size;
  // An upload consumed the file: a retry would need a new session, so none.
  BURROW_TRY(HttpResponse response, send(request, false));
  if (response.status != 201)
    return tl::unexpected(failure(
        response, fmt::format("uploading blob {} to {}/{}", digest, endpoint_.host, repository_)));
  if (progress) progress(size);
  return base::ok();
}

base::Status DistributionClient::upload_chunks(std::string location, int fd,
                                               std::string_view digest, int64_t size,
                                               const Progress& progress) {
  std::string what = fmt::format("uploading blob {} to {}/{}", digest, endpoint_.host, repository_);
  for (int64_t offset = 0; offset < size; offset += kChunkSize) {
    int64_t length = std::min(kChunkSize, size - offset);
    if (::lseek(fd, offset, SEEK_SET) != offset) return base::fail_errno("{}: seeking", what);
    HttpRequest request =
        http_request("PATCH", location,
                     {"Content-Type: application/octet-stream",
                      fmt::format("Content-Range: {}-{}", offset, offset + length - 1)});
    request.body_fd = fd;
    request.body_length = length;
    BURROW_TRY(HttpResponse response, send(request, false));
    if (response.status != 202) return tl::unexpected(failure(response, what));
    location = resolve_location(response);
    if (location.empty()) return base::failf(EIO, "{}: the registry named no next location", what);
    if (progress) progress(offset + length);
  }
  HttpRequest finish =
      http_request("PUT", with_query(location, "digest=" + escape(digest)), {"Content-Length: 0"});
  BURROW_TRY(HttpResponse response, send(finish, false));
  if (response.status != 201) return tl::unexpected(failure(response, what));
  return base::ok();
}

base::Result<std::string> DistributionClient::put_manifest(std::string_view reference,
                                                           std::string_view bytes,
                                                           std::string_view media_type) {
  HttpRequest request =
      http_request("PUT", url(repository_ + "/manifests/" + std::string(reference)),
                   {fmt::format("Content-Type: {}", media_type)});
  request.body = std::string(bytes);
  BURROW_TRY(HttpResponse response, send(request));
  if (response.status != 201)
    return tl::unexpected(failure(response, fmt::format("writing manifest {} to {}/{}", reference,
                                                        endpoint_.host, repository_)));
  return base::sha256_digest(bytes);
}

}  // namespace burrow::registry
