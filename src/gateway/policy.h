// Policy: the gateway's decision for one request, and the settlement of its
// token reservation when the response ends. This is the whole of the
// gateway's judgement; src/server only carries requests to it and back.
//
// Begin() decides, in order:
//   1. the verdicts (account, campaign, indicators, infrastructure): block
//      and challenge refuse (403); throttle tightens the account's limits;
//      monitor and throttle mark the request suspect and may strip thinking;
//   2. verification gating: a tier may require verification for some models
//      or above a daily volume (403 verification_required);
//   3. every limiter, GCRA, in one LimiterStore call: the account's (tier
//      limits, tightened for unverified, new or throttled accounts) and one
//      group per shared dimension (org, payment, IP prefix, ASN, campaign).
//      Token limiters reserve the estimate: input = input text / chars_per_token,
//      output = max_tokens (capped at each limiter's size); Settlement()
//      replaces the estimate with real usage. A refused group charges
//      nothing, and the groups already charged are given back.
//
// Policy is pure: it never touches a store. gateway/admission.h is the one
// driver that runs it against a LimiterStore:
//
//   Policy policy(config);
//   Decision decision = co_await Admit(store, policy, context, *verdicts.Snapshot());
//
// When the LimiterStore fails (Redis unreachable) the configured failure
// mode decides (Finish): open admits without limits (decision.degraded),
// closed refuses with 503.
//
// Thread-safety: every method is const and may run concurrently. REQUIRES:
// `config` outlives the Policy.
#ifndef HYDRAGUARD_GATEWAY_POLICY_H_
#define HYDRAGUARD_GATEWAY_POLICY_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "gateway/api.h"
#include "gateway/config.h"
#include "gateway/key_table.h"
#include "gateway/limiter.h"
#include "gateway/request.h"
#include "gateway/verdicts.h"
#include "ingest/ip_address.h"

namespace hydraguard::gateway {

struct RequestContext {
  ApiKind api = ApiKind::kAnthropic;
  const Identity* identity = nullptr;  // REQUIRES: non-null (unknown keys are refused before)
  ingest::IpAddress ip;
  uint32_t asn = 0;  // 0: unknown
  std::string tls;   // client TLS fingerprint, from a trusted header
  std::string ua;
  ApiRequest request;
  bool has_body = true;  // false: an auth check without the body (estimate from content_length)
  int64_t content_length = 0;
  int64_t now_ms = 0;
};

// The state of one kind of limit after the decision, for response headers:
// the tightest limiter of that kind (least remaining).
struct LimitState {
  bool known = false;
  int64_t limit = 0;
  int64_t remaining = 0;
  int64_t reset_ms = 0;   // until that limiter is full again
  int64_t window_ms = 0;  // its period
};

enum class LimitKind { kRequests, kInputTokens, kOutputTokens };
// The kind of a limiter cell ("rpm" -> kRequests, "otpd" -> kOutputTokens),
// or nullopt for another cell ("vrd").
std::optional<LimitKind> LimitKindOfCell(std::string_view cell);

struct Decision {
  bool allowed = false;
  int status = 200;                        // HTTP status when refused
  ErrorKind error = ErrorKind::kApiError;  // when refused
  std::string code;                        // e.g. "verification_required", "rate_limited", "blocked"
  std::string reason;                      // metrics label: ok, verdict, verification_required, rate_limited,
                                           // state_unavailable
  std::string message;                     // for the client
  std::string limiter;                     // the limiter that refused, e.g. "payment:rpm"
  int64_t retry_after_ms = 0;
  bool not_retryable = false;  // no wait would admit it (larger than a whole limit): tell
                               // clients not to retry (x-should-retry: false)

  engine::Action action = engine::Action::kAllow;  // the verdict in force
  std::string verdict_source;                      // Judgement::source
  std::string verdict_reason;
  std::string campaign;
  bool suspect = false;         // tell the upstream (config.suspect_header)
  bool strip_thinking = false;  // remove reasoning from the response
  bool degraded = false;        // limits skipped: the limiter store failed (fail-open)

  LimitState limits[3];                 // by LimitKind
  std::vector<CellGroup> reservations;  // token cells charged at admission, with their estimates
  int64_t estimated_input_tokens = 0;
  int64_t estimated_output_tokens = 0;
};

// Begin(): the decision before the limiter store is asked, final when there
// are no groups to acquire.
struct Admission {
  Decision decision;
  std::vector<CellGroup> groups;  // for LimiterStore::Acquire, in this order
};

class Policy {
 public:
  explicit Policy(const GatewayConfig& config);

  // The decision before the limiter store is asked; final when it has no
  // groups.
  Admission Begin(const RequestContext& context, const VerdictSet& verdicts) const;
  // A batch of requests admitted as one: each is judged as Begin judges it
  // (verdicts, verification); the first refused is the batch's refusal
  // (`refused_index` says which). Otherwise their limiter costs are added up
  // per limiter, so the whole batch is charged, or refused, in one Acquire.
  // REQUIRES: contexts is not empty.
  Admission BeginBatch(std::span<const RequestContext> contexts, const VerdictSet& verdicts,
                       size_t* refused_index) const;
  // Completes admission->decision from the store's answer to its groups.
  // Returns the groups to give back (another group refused), maybe none.
  // REQUIRES: admission comes from Begin and has groups.
  std::vector<CellGroup> Finish(const absl::StatusOr<std::vector<GroupOutcome>>& outcomes, Admission* admission) const;
  // The adjustments that replace the decision's reservation by the real
  // usage (-1: keep the estimate); none: nothing to do.
  std::vector<CellGroup> Settlement(const Decision& decision, int64_t input_tokens, int64_t output_tokens) const;

  // The request facts verdicts are matched on (exposed for tests and /check).
  RequestFacts Facts(const RequestContext& context) const;
  const GatewayConfig& config() const { return config_; }
  // False when the engine's text link signals (system_prompt,
  // prompt_template) are not linked in: template indicators cannot match.
  static bool TextIndicatorsAvailable();

 private:
  const GatewayConfig& config_;
  VerdictRules rules_;
};

}  // namespace hydraguard::gateway

#endif  // HYDRAGUARD_GATEWAY_POLICY_H_
