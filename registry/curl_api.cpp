#include "registry/curl_api.h"

#include <dlfcn.h>

#include <mutex>

namespace burrow::registry {
namespace {

template <typename Function>
bool bind(void* library, const char* symbol, Function& slot) {
  slot = reinterpret_cast<Function>(::dlsym(library, symbol));
  return slot != nullptr;
}

base::Result<CurlApi> load_curl() {
  void* library = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr)
    return base::failf(ENOENT, "cannot load libcurl ({}): install the libcurl4 package",
                       ::dlerror());
  CurlApi api;
  bool complete = bind(library, "curl_global_init", api.global_init) &&
                  bind(library, "curl_easy_init", api.easy_init) &&
                  bind(library, "curl_easy_setopt", api.easy_setopt) &&
                  bind(library, "curl_easy_perform", api.easy_perform) &&
                  bind(library, "curl_easy_getinfo", api.easy_getinfo) &&
                  bind(library, "curl_easy_cleanup", api.easy_cleanup) &&
                  bind(library, "curl_easy_reset", api.easy_reset) &&
                  bind(library, "curl_easy_strerror", api.easy_strerror) &&
                  bind(library, "curl_easy_escape", api.easy_escape) &&
                  bind(library, "curl_free", api.free) &&
                  bind(library, "curl_slist_append", api.slist_append) &&
                  bind(library, "curl_slist_free_all", api.slist_free_all);
  if (!complete)
    return base::fail(ENOSYS, "libcurl.so.4 lacks a function burrow needs: upgrade it");
  if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
    return base::fail(EIO, "libcurl failed to initialise");
  return api;
}

}  // namespace

base::Result<const CurlApi*> curl_api() {
  static std::once_flag once;
  static base::Result<CurlApi> loaded = base::fail(EIO, "libcurl not loaded");
  std::call_once(once, [] { loaded = load_curl(); });
  if (!loaded) return tl::unexpected(loaded.error());
  return &*loaded;
}

}  // namespace burrow::registry
