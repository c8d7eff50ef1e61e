// The wall clock, for what is recorded and shown with a time.
#pragma once

#include <time.h>

#include <cstdint>

namespace burrow::base {

inline constexpr int64_t kNanosPerSecond = 1'000'000'000;

// Unix time in nanoseconds (CLOCK_REALTIME).
inline int64_t unix_now_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<int64_t>(now.tv_sec) * kNanosPerSecond + now.tv_nsec;
}

}  // namespace burrow::base
