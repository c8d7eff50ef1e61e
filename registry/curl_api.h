// libcurl, loaded with dlopen the first time a command talks to a registry.
// Linking it would make every command (run, ps, exec) map and relocate
// libcurl and the dozen libraries it needs before main(); only pull, push,
// login and search pay for it this way.
#pragma once

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "base/result.h"

namespace burrow::registry {

struct CurlApi {
  decltype(&curl_global_init) global_init = nullptr;
  decltype(&curl_easy_init) easy_init = nullptr;
  decltype(&curl_easy_setopt) easy_setopt = nullptr;
  decltype(&curl_easy_perform) easy_perform = nullptr;
  decltype(&curl_easy_getinfo) easy_getinfo = nullptr;
  decltype(&curl_easy_cleanup) easy_cleanup = nullptr;
  decltype(&curl_easy_reset) easy_reset = nullptr;
  decltype(&curl_easy_strerror) easy_strerror = nullptr;
  decltype(&curl_easy_escape) easy_escape = nullptr;
  decltype(&curl_free) free = nullptr;
  decltype(&curl_slist_append) slist_append = nullptr;
  decltype(&curl_slist_free_all) slist_free_all = nullptr;
};

// The loaded library, initialised once (thread-safe). An error names the
// package to install when libcurl.so.4 is missing.
base::Result<const CurlApi*> curl_api();

}  // namespace burrow::registry
