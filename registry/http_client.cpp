#include "registry/http_client.h"

#include <unistd.h>

#include <cctype>

#include "base/file_util.h"
#include "base/strings.h"
#include "registry/curl_api.h"

namespace burrow::registry {
namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;
constexpr const char* kSystemBundle = "/etc/ssl/certs/ca-certificates.crt";

struct Transfer {
  const CurlApi* api;
  CURL* handle;
  const HttpRequest* request;
  HttpResponse* response;
  bool sink_refused = false;
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  // A status line starts the headers of another response (a redirect or
  // "100 Continue" came first): only the last response's headers count.
  if (line.starts_with("HTTP/")) {
    transfer->response->headers.clear();
    return line.size();
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos)
    transfer->response->headers.emplace_back(base::ascii_lower(base::trim(line.substr(0, colon))),
                                             std::string(base::trim(line.substr(colon + 1))));
  return line.size();
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view chunk(data, size * count);
  long status = 0;
  transfer->api->easy_getinfo(transfer->handle, CURLINFO_RESPONSE_CODE, &status);
  if (transfer->request->body_sink && status >= 200 && status < 300) {
    if (transfer->request->body_sink(chunk)) return chunk.size();
    transfer->sink_refused = true;
    return 0;  // aborts the transfer
  }
  auto& body = transfer->response->body;
  if (transfer->request->body_sink && body.size() + chunk.size() > kMaxErrorBody)
    return chunk.size();  // an error page larger than we would ever show
  body.append(chunk);
  return chunk.size();
}

size_t on_upload(char* buffer, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  ssize_t got = ::read(transfer->request->body_fd, buffer, size * count);
  return got < 0 ? CURL_READFUNC_ABORT : static_cast<size_t>(got);
}

int errno_for(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_CONNECT:
      return ECONNREFUSED;
    case CURLE_OPERATION_TIMEDOUT:
      return ETIMEDOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
      return EHOSTUNREACH;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
      return EPROTO;
    default:
      return EIO;
  }
}

void set_body(const CurlApi& api, CURL* handle, const HttpRequest& request, Transfer& transfer) {
  if (request.body_fd >= 0) {
    api.easy_setopt(handle, CURLOPT_UPLOAD, 1L);
    api.easy_setopt(handle, CURLOPT_READFUNCTION, on_upload);
    api.easy_setopt(handle, CURLOPT_READDATA, &transfer);
    api.easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body_length));
  } else if (request.method != "GET" && request.method != "HEAD") {
    api.easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
    api.easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                    static_cast<curl_off_t>(request.body.size()));
  }
  if (request.method == "HEAD") api.easy_setopt(handle, CURLOPT_NOBODY, 1L);
  if (request.method == "GET") api.easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  if (request.method != "GET" && request.method != "HEAD")
    api.easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view lower_case_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_case_name) return value;
  return std::nullopt;
}

std::vector<std::string> HttpResponse::header_values(std::string_view lower_case_name) const {
  std::vector<std::string> values;
  for (const auto& [name, value] : headers)
    if (name == lower_case_name) values.push_back(value);
  return values;
}

base::Result<HttpClient> HttpClient::create(const TlsConfig& tls) {
  BURROW_TRY(const CurlApi* api, curl_api());
  HttpClient client;
  client.handle_ = api->easy_init();
  if (client.handle_ == nullptr) return base::fail(ENOMEM, "libcurl could not make a handle");
  BURROW_CHECK(client.configure(tls));
  return client;
}

HttpClient::HttpClient(HttpClient&& other) noexcept
    : handle_(std::exchange(other.handle_, nullptr)),
      tls_(std::move(other.tls_)),
      ca_bundle_(std::move(other.ca_bundle_)) {}

HttpClient::~HttpClient() {
  if (handle_ != nullptr) (*curl_api())->easy_cleanup(static_cast<CURL*>(handle_));
}

base::Status HttpClient::configure(const TlsConfig& tls) {
  if (!tls.ca_files.empty()) {
    // Extra CAs add to the system's rather than replace them.
    if (auto system = base::read_file(kSystemBundle)) ca_bundle_ = *system + "\n";
    for (const auto& file : tls.ca_files) {
      BURROW_TRY(std::string pem, base::read_file(file));
      ca_bundle_ += pem + "\n";
    }
  }
  tls_ = tls;
  return base::ok();
}

void HttpClient::apply_tls() const {
  const CurlApi& api = **curl_api();
  auto* handle = static_cast<CURL*>(handle_);
  if (!tls_.verify) {
    api.easy_setopt(handle, CURLOPT_SSL_VERIFYPEER, 0L);
    api.easy_setopt(handle, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!ca_bundle_.empty()) {
    curl_blob blob{const_cast<char*>(ca_bundle_.data()), ca_bundle_.size(), CURL_BLOB_NOCOPY};
    api.easy_setopt(handle, CURLOPT_CAINFO_BLOB, &blob);
  }
  if (!tls_.client_cert.empty()) {
    api.easy_setopt(handle, CURLOPT_SSLCERT, tls_.client_cert.c_str());
    api.easy_setopt(handle, CURLOPT_SSLKEY, tls_.client_key.c_str());
  }
}

base::Result<HttpResponse> HttpClient::perform(const HttpRequest& request) {
  const CurlApi& api = **curl_api();
  auto* handle = static_cast<CURL*>(handle_);
  api.easy_reset(handle);
  HttpResponse response;
  Transfer transfer{&api, handle, &request, &response};
  api.easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  api.easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  api.easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
  api.easy_setopt(handle, CURLOPT_MAXREDIRS, 10L);
  api.easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  api.easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  api.easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, 30L);
  // A stalled transfer fails instead of hanging: under 1 KiB/s for a minute.
  api.easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  api.easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, 60L);
  api.easy_setopt(handle, CURLOPT_USERAGENT, "burrow/" BURROW_VERSION);
  api.easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  api.easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  api.easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  api.easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  apply_tls();
  curl_slist* headers = nullptr;
  for (const auto& header : request.headers) headers = api.slist_append(headers, header.c_str());
  // libcurl would otherwise wait a second for "100 Continue" before each upload.
  headers = api.slist_append(headers, "Expect:");
  api.easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
  set_body(api, handle, request, transfer);
  CURLcode code = api.easy_perform(handle);
  api.easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);
  api.slist_free_all(headers);
  if (transfer.sink_refused)
    return base::fail(ECANCELED, "the transfer was aborted by its receiver");
  if (code != CURLE_OK)
    return base::failf(errno_for(code), "{} {}: {}", request.method, request.url,
                       api.easy_strerror(code));
  api.easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  char* effective = nullptr;
  api.easy_getinfo(handle, CURLINFO_EFFECTIVE_URL, &effective);
  if (effective != nullptr) response.effective_url = effective;
  return response;
}

bool is_transient(const base::Result<HttpResponse>& attempt) {
  if (!attempt) {
    int code = attempt.error().code;
    return code != EHOSTUNREACH && code != EPROTO && code != ECANCELED;
  }
  long status = attempt->status;
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
         status == 504;
}

}  // namespace burrow::registry
