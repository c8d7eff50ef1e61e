// Runs in the container init (after clone, before execve): an error as a
// fixed-size record, so reporting a failure never allocates. The parent turns
// it into a base::Error.
#pragma once

#include <cstdarg>
#include <cstdio>

namespace burrow::runtime {

struct InitError {
  int code = 0;
  char message[400] = {};

  // Records the failure and returns false, so callers can write
  // `return error.set(errno, "mounting %s", path);`.
  __attribute__((format(printf, 3, 4))) bool set(int error_code, const char* format, ...) {
    code = error_code;
    va_list args;
    va_start(args, format);
    std::vsnprintf(message, sizeof message, format, args);
    va_end(args);
    return false;
  }
};

}  // namespace burrow::runtime
