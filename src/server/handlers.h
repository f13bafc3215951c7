// The gateway's answers that need no upstream: the authorization check
// (nginx auth_request and JSON), /metrics, /healthz and the admin API; and
// the shared first half of every API request (who is calling, what they ask,
// what the policy decides).
//
//   Caller caller = IdentifyCaller(request, peer, config);
//   Judged judged = co_await Judge(state, limiter, caller, kind, body, /*has_body=*/true, body.size());
//   if (!judged.decision.allowed) return ErrorResponse(...);
//
// Thread-safety: every function may run concurrently; `state` is shared.
#ifndef HYDRAGUARD_SERVER_HANDLERS_H_
#define HYDRAGUARD_SERVER_HANDLERS_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/api.h"
#include "gateway/limiter.h"
#include "gateway/policy.h"
#include "gateway/rate_headers.h"
#include "ingest/ip_address.h"
#include "server/gateway_state.h"

namespace hydraguard::server {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

// The value of header `name` ("" when absent), and the target without its
// query string. Views into `request`.
std::string_view HeaderValue(const Request& request, std::string_view name);
std::string_view PathOf(const Request& request);

// Facts about the caller taken from the connection and headers.
struct Caller {
  std::string api_key;            // from x-api-key or Authorization: Bearer
  bool bearer = false;            // api_key came from Authorization (else x-api-key)
  bool conflicting_keys = false;  // more than one credential value (x-api-key and Authorization fields,
                                  // repeated or not): refused, since the upstream might authenticate
                                  // with one the gateway did not judge
  ingest::IpAddress ip;
  uint32_t asn = 0;
  std::string tls, ua, country;  // tls and country only from trusted peers
};
Caller IdentifyCaller(const Request& request, const ingest::IpAddress& peer, const gateway::GatewayConfig& config);
// Leaves exactly the judged credential on `request` for the upstream: every
// x-api-key and Authorization field is removed, and the caller's key is set
// back in the form it came in.
void KeepOnlyJudgedCredential(const Caller& caller, Request* request);
// Removes every field a client must not send the upstream: x-hydraguard-*
// (case-insensitive) and `suspect_header`. Only the gateway sets those.
void StripGatewayHeaders(std::string_view suspect_header, Request* request);

// The outcome of the policy for one request, or the early refusal before it
// (no key, unknown key, bad body).
struct Judged {
  gateway::RequestContext context;
  gateway::Decision decision;
  std::shared_ptr<const gateway::KeyTable> keys;  // keeps context.identity alive
  bool early = false;                             // refused before the policy ran
};
// `limiter`: the store of the event loop this runs on (memory: the state's
// shared MemoryLimiter; Redis: the loop's AsyncLimiter), through the one
// admission driver (gateway::Admit).
boost::asio::awaitable<Judged> Judge(GatewayState& state, gateway::LimiterStore& limiter, const Caller& caller,
                                     gateway::Route route, std::string_view body, bool has_body,
                                     int64_t content_length);
// Who is calling, and whether they may (key known; no verdict or
// verification refuses them): for endpoints that generate nothing and pass
// through (models, count_tokens, batch results). No limiter is charged.
Judged Authenticate(GatewayState& state, const Caller& caller, gateway::ApiKind api);
// A Message Batch (POST /v1/messages/batches): every request inside is
// judged, and the batch is admitted against the limits as a whole (see
// Policy::BeginBatch). `contexts` gets one context per request inside (for
// their events); a bad batch body or request is refused with 400 naming it.
boost::asio::awaitable<Judged> JudgeBatch(GatewayState& state, gateway::LimiterStore& limiter, const Caller& caller,
                                          std::string_view body, std::vector<gateway::RequestContext>* contexts);
// Replaces the decision's token reservation by the real usage (-1: keep the
// estimate). In memory it is done before returning; on Redis it is started
// on `executor` (the loop that owns `limiter`) and not awaited, queued on
// the loop's connection ahead of any later request of this loop. A failure
// is counted.
void Settle(GatewayState& state, gateway::LimiterStore& limiter, const boost::asio::any_io_executor& executor,
            const gateway::Decision& decision, int64_t input_tokens, int64_t output_tokens);

// Counts the decision and records the request's event.
void Account(GatewayState& state, const Judged& judged, const Caller& caller, std::string_view endpoint, int status,
             int64_t input_tokens, int64_t output_tokens);

// An API-shaped error response with the decision's rate-limit headers.
Response ErrorResponse(gateway::ApiKind api, const gateway::Decision& decision, unsigned version, bool keep_alive,
                       int64_t now_ms);

boost::asio::awaitable<Response> HandleCheck(GatewayState& state, gateway::LimiterStore& limiter,
                                             const Request& request, const ingest::IpAddress& peer, bool json);
Response HandleAdmin(GatewayState& state, const Request& request);
// POST /usage {"request_id":..,"input_tokens":..,"output_tokens":..}: settles
// the reservation a check made (one sent with x-hydraguard-report-usage: 1;
// its id: x-hydraguard-request-id, or "request_id" of /check.json) with the
// real usage. Needs the admin token (a
// client reporting its own usage would refund itself).
boost::asio::awaitable<Response> HandleUsage(GatewayState& state, gateway::LimiterStore& limiter,
                                             const Request& request);
Response HandleMetrics(GatewayState& state, const Request& request);
Response PlainResponse(const Request& request, unsigned status, std::string_view content_type, std::string body);

}  // namespace hydraguard::server

#endif  // HYDRAGUARD_SERVER_HANDLERS_H_
