// Number and time formats shared by the text and HTML replay reports.
#ifndef HYDRAGUARD_REPLAY_INTERNAL_FORMAT_H_
#define HYDRAGUARD_REPLAY_INTERNAL_FORMAT_H_

#include <cstdint>
#include <string>

#include "fmt/format.h"
#include "replay/replay.h"

namespace hydraguard::replay::internal {

inline constexpr int64_t kSecondMs = 1000, kMinuteMs = 60 * kSecondMs, kHourMs = 60 * kMinuteMs, kDayMs = 24 * kHourMs;

// "1 h", "30 min", "2 d", "90 s", "1500 ms": the largest unit that divides ms.
inline std::string FormatDuration(int64_t ms) {
  if (ms > 0 && ms % kDayMs == 0) return fmt::format("{} d", ms / kDayMs);
  if (ms > 0 && ms % kHourMs == 0) return fmt::format("{} h", ms / kHourMs);
  if (ms > 0 && ms % kMinuteMs == 0) return fmt::format("{} min", ms / kMinuteMs);
  if (ms > 0 && ms % kSecondMs == 0) return fmt::format("{} s", ms / kSecondMs);
  return fmt::format("{} ms", ms);
}

inline std::string FormatHours(int64_t ms) {
  return fmt::format("{:.1f} h", static_cast<double>(ms) / static_cast<double>(kHourMs));
}

// "12.34%" with `decimals` decimals; "n/a" when whole is 0.
inline std::string FormatShare(uint64_t part, uint64_t whole, int decimals) {
  if (whole == 0) return "n/a";
  return fmt::format("{:.{}f}%", 100.0 * static_cast<double>(part) / static_cast<double>(whole), decimals);
}

// Time to containment: "7.9 h", "not contained", or "n/a" without requests.
inline std::string FormatContainment(const CampaignReplay& campaign) {
  if (campaign.traffic.requests == 0) return "n/a";
  std::optional<int64_t> time = campaign.time_to_containment_ms();
  return time ? FormatHours(*time) : "not contained";
}

}  // namespace hydraguard::replay::internal

#endif  // HYDRAGUARD_REPLAY_INTERNAL_FORMAT_H_
