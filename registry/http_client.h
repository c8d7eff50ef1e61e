// One HTTP connection cache for talking to a registry, on libcurl: requests
// from memory or a file, responses into memory or streamed to a sink, TLS
// with extra CA files and client certificates, redirects followed (libcurl
// drops our Authorization header when a redirect leaves the host, so blob
// storage on another host never sees registry credentials).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace burrow::registry {

struct TlsConfig {
  bool verify = true;
  std::vector<std::string> ca_files;  // trusted besides the system's
  std::string client_cert;
  std::string client_key;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent unless body_fd is set
  int body_fd = -1;                  // borrowed; sent from its current offset
  int64_t body_length = 0;           // bytes of body_fd to send
  // When set, a 2xx response's body goes here as it arrives instead of into
  // HttpResponse::body; returning false aborts the transfer.
  std::function<bool(std::string_view)> body_sink;
};

inline HttpRequest http_request(std::string method, std::string url,
                                std::vector<std::string> headers = {}) {
  HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = std::move(headers);
  return request;
}

struct HttpResponse {
  long status = 0;
  // The final response's headers (after redirects), names in lower case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // error bodies are kept up to 64 KiB
  std::string effective_url;

  std::optional<std::string> header(std::string_view lower_case_name) const;
  std::vector<std::string> header_values(std::string_view lower_case_name) const;
};

class HttpClient {
 public:
  static base::Result<HttpClient> create(const TlsConfig& tls);
  HttpClient(HttpClient&& other) noexcept;
  HttpClient& operator=(HttpClient&&) = delete;
  HttpClient(const HttpClient&) = delete;
  ~HttpClient();

  // One attempt. Transport failures are errors: ECONNREFUSED, ETIMEDOUT,
  // EHOSTUNREACH (name not resolved), EPROTO (TLS), ECANCELED (the body
  // sink refused), EIO otherwise; any HTTP status is a response.
  base::Result<HttpResponse> perform(const HttpRequest& request);

 private:
  HttpClient() = default;
  base::Status configure(const TlsConfig& tls);

  void apply_tls() const;

  void* handle_ = nullptr;  // CURL*, reset before each request but keeping its connections
  TlsConfig tls_;
  std::string ca_bundle_;  // system CAs plus the extra ones, handed to libcurl as a blob
};

// Whether a failed attempt is worth repeating: connection errors, timeouts,
// 429 and 5xx gateway errors.
bool is_transient(const base::Result<HttpResponse>& attempt);

}  // namespace burrow::registry
