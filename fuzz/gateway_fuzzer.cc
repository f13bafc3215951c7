// libFuzzer target: arbitrary bytes as what a client or an upstream sends the
// gateway: an API request body (both APIs), an upstream SSE stream and JSON
// response (split at a fuzzed point, with and without thinking stripped), and
// an admin verdict body. None may crash; the filter must pass through
// streams it need not change.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gateway/request.h"
#include "gateway/response_filter.h"
#include "gateway/verdicts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hydraguard;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (gateway::ApiKind api : {gateway::ApiKind::kAnthropic, gateway::ApiKind::kOpenAi}) {
    (void)gateway::ParseApiRequest(api, input);
    for (bool strip : {false, true}) {
      size_t split = size > 0 ? data[0] % (size + 1) : 0;
      gateway::SseFilter filter(api, strip);
      std::string out;
      filter.Feed(input.substr(0, split), &out);
      filter.Feed(input.substr(split), &out);
      filter.Finish(&out);
      if (!strip && filter.stripped_events() != 0) __builtin_trap();
      (void)gateway::FilterJsonResponse(api, input, strip);
    }
  }
  (void)gateway::VerdictEntry::FromJson(input, "account");
  (void)gateway::VerdictEntry::FromJson(input, "payment");
  return 0;
}
