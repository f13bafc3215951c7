#include "gateway/admission.h"

#include <utility>
#include <vector>

namespace hydraguard::gateway {

boost::asio::awaitable<Decision> Admit(LimiterStore& store, const Policy& policy, Admission admission, int64_t now_ms) {
  if (admission.groups.empty()) co_return std::move(admission.decision);
  absl::StatusOr<std::vector<GroupOutcome>> outcomes = co_await store.Acquire(admission.groups, now_ms);
  std::vector<CellGroup> rollback = policy.Finish(outcomes, &admission);
  if (!rollback.empty()) {
    absl::Status ignored = co_await store.Adjust(rollback, now_ms);
    (void)ignored;
  }
  co_return std::move(admission.decision);
}

boost::asio::awaitable<Decision> Admit(LimiterStore& store, const Policy& policy, const RequestContext& context,
                                       const VerdictSet& verdicts) {
  Decision decision = co_await Admit(store, policy, policy.Begin(context, verdicts), context.now_ms);
  co_return decision;
}

}  // namespace hydraguard::gateway
