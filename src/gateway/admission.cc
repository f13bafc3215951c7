#include "gateway/admission.h"

#include <utility>
#include <vector>

namespace hydraguard::gateway {

boost::asio::awaitable<Decision> Admit(LimiterStore& store, const Policy& policy, const RequestContext& context,
                                       const VerdictSet& verdicts) {
  Admission admission = policy.Begin(context, verdicts);
  if (admission.groups.empty()) co_return std::move(admission.decision);
  absl::StatusOr<std::vector<GroupOutcome>> outcomes = co_await store.Acquire(admission.groups, context.now_ms);
  std::vector<CellGroup> rollback = policy.Finish(outcomes, &admission);
  if (!rollback.empty()) {
    absl::Status ignored = co_await store.Adjust(rollback, context.now_ms);
    (void)ignored;
  }
  co_return std::move(admission.decision);
}

}  // namespace hydraguard::gateway
