// Errors as values: every fallible function in burrow returns Result<T>.
#pragma once

#include <fmt/core.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <tl/expected.hpp>
#include <utility>

namespace burrow::base {

// An errno (0 when none applies) and a human message. Callers add context as
// the error moves up, so the final text reads "loading image: reading x: ...".
struct Error {
  int code = 0;
  std::string message;
  // The exit status the CLI reports; 0 means the default, 125. Set to 126
  // or 127 where the container's command could not be invoked or found.
  int exit_status = 0;

  Error with_context(std::string_view context) const {
    return Error{code, fmt::format("{}: {}", context, message), exit_status};
  }
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> fail(int code, std::string message) {
  return tl::unexpected(Error{code, std::move(message)});
}

template <typename... Args>
tl::unexpected<Error> failf(int code, fmt::format_string<Args...> format, Args&&... args) {
  return fail(code, fmt::format(format, std::forward<Args>(args)...));
}

// For a failed system call: keeps errno and appends its text.
template <typename... Args>
tl::unexpected<Error> fail_errno(fmt::format_string<Args...> format, Args&&... args) {
  int saved = errno;
  return fail(saved, fmt::format("{}: {}", fmt::format(format, std::forward<Args>(args)...),
                                 std::strerror(saved)));
}

inline Status ok() { return {}; }

}  // namespace burrow::base

// Every module names these unqualified.
namespace burrow {
using base::Error;
using base::Result;
using base::Status;
}  // namespace burrow

// Propagate an error with added context; `expr` must yield a Result.
#define BURROW_TRY_CONCAT_(a, b) a##b
#define BURROW_TRY_NAME_(line) BURROW_TRY_CONCAT_(burrow_try_, line)
#define BURROW_TRY_IMPL_(tmp, decl, expr)                    \
  auto tmp = (expr);                                         \
  if (!tmp) return ::tl::unexpected(std::move(tmp.error())); \
  decl = std::move(*tmp)
#define BURROW_TRY(decl, expr) BURROW_TRY_IMPL_(BURROW_TRY_NAME_(__LINE__), decl, expr)
#define BURROW_CHECK(expr)                                                                     \
  do {                                                                                         \
    auto burrow_check_result = (expr);                                                         \
    if (!burrow_check_result) return ::tl::unexpected(std::move(burrow_check_result.error())); \
  } while (0)
