// The one admission driver: Policy's pure decision run against a
// LimiterStore, for every caller (proxied API requests, /check, batches,
// usage reports), in memory and Redis mode alike.
//
//   // in a coroutine on the event loop that owns `store`:
//   Decision decision = co_await Admit(store, policy, context, *verdicts.Snapshot());
//   ... forward, read usage ...
//   std::vector<CellGroup> deltas = policy.Settlement(decision, usage.input_tokens, usage.output_tokens);
//   if (!deltas.empty()) { absl::Status settled = co_await store.Adjust(deltas, now_ms); ... }
//
// Admit is Policy::Begin, then (when there are limits to check) one Acquire
// of every group, Policy::Finish, and the rollback of the groups a refusal
// leaves charged. A rollback's error changes nothing: the refusal stands.
//
// Lifetime: `store`, `policy`, `context` and `verdicts` must outlive the
// awaited call. Thread-safety: as the store's.
#ifndef HYDRAGUARD_GATEWAY_ADMISSION_H_
#define HYDRAGUARD_GATEWAY_ADMISSION_H_

#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "gateway/limiter.h"
#include "gateway/policy.h"
#include "gateway/verdicts.h"

namespace hydraguard::gateway {

boost::asio::awaitable<Decision> Admit(LimiterStore& store, const Policy& policy, const RequestContext& context,
                                       const VerdictSet& verdicts);
// The same from an Admission already begun (Policy::Begin or BeginBatch).
boost::asio::awaitable<Decision> Admit(LimiterStore& store, const Policy& policy, Admission admission, int64_t now_ms);

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_ADMISSION_H_
