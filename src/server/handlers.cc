#include "server/handlers.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <charconv>
#include <chrono>

#include "absl/strings/ascii.h"
#include "fmt/format.h"
#include "gateway/admission.h"
#include "gateway/event_line.h"
#include "gateway/internal/json_lines.h"
#include "io/json_writer.h"
#include "server/client_address.h"
#include "simdjson.h"

namespace hydraguard::server {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using gateway::ApiKind;
using gateway::Decision;
using gateway::ErrorKind;

namespace {

int64_t ParseInt(std::string_view text, int64_t fallback) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && value >= 0 ? value : fallback;
}

Decision Early(int status, ErrorKind error, std::string code, std::string reason, std::string message) {
  Decision decision;
  decision.status = status;
  decision.error = error;
  decision.code = std::move(code);
  decision.reason = std::move(reason);
  decision.message = std::move(message);
  return decision;
}

std::string ActionHeader(const Decision& decision) { return std::string(engine::ActionName(decision.action)); }

}  // namespace

std::string_view HeaderValue(const Request& request, std::string_view name) {
  auto it = request.find(boost::beast::string_view(name.data(), name.size()));
  if (it == request.end()) return {};
  return {it->value().data(), it->value().size()};
}

std::string_view PathOf(const Request& request) {
  std::string_view target(request.target().data(), request.target().size());
  return target.substr(0, target.find('?'));
}

Caller IdentifyCaller(const Request& request, const ingest::IpAddress& peer, const gateway::GatewayConfig& config) {
  Caller caller;
  // Every credential field counts, repeated or not: one value may be judged.
  for (const auto& field : request) {
    std::string value(field.value().data(), field.value().size());
    bool bearer = false;
    if (field.name() == http::field::authorization) {
      bearer = true;
      if (value.size() > 7 && absl::AsciiStrToLower(value.substr(0, 7)) == "bearer ") value.erase(0, 7);
    } else if (!boost::beast::iequals(field.name_string(), "x-api-key")) {
      continue;
    }
    absl::StripAsciiWhitespace(&value);
    if (caller.api_key.empty() && !caller.conflicting_keys) {
      caller.api_key = std::move(value);
      caller.bearer = bearer;
    } else if (value != caller.api_key) {
      caller.conflicting_keys = true;
    }
  }
  caller.ip = ClientIp(peer, HeaderValue(request, "x-forwarded-for"), config.trusted_proxies);
  caller.ua = std::string(HeaderValue(request, "user-agent"));
  if (IsTrusted(peer, config.trusted_proxies)) {
    std::string_view asn = HeaderValue(request, config.asn_header);
    if (asn.size() > 2 && (asn[0] == 'A' || asn[0] == 'a') && (asn[1] == 'S' || asn[1] == 's')) asn.remove_prefix(2);
    caller.asn = static_cast<uint32_t>(std::min<int64_t>(ParseInt(asn, 0), UINT32_MAX));
    caller.tls = std::string(HeaderValue(request, config.tls_header));
    caller.country = std::string(HeaderValue(request, config.country_header));
  }
  return caller;
}

void KeepOnlyJudgedCredential(const Caller& caller, Request* request) {
  request->erase(http::field::authorization);
  request->erase("x-api-key");
  if (caller.api_key.empty()) return;
  if (caller.bearer) {
    request->set(http::field::authorization, "Bearer " + caller.api_key);
  } else {
    request->set("x-api-key", caller.api_key);
  }
}

void StripGatewayHeaders(std::string_view suspect_header, Request* request) {
  std::vector<std::string> names;
  for (const auto& field : *request) {
    std::string name = absl::AsciiStrToLower(std::string(field.name_string()));
    if (name.starts_with("x-hydraguard-") || name == absl::AsciiStrToLower(std::string(suspect_header))) {
      names.push_back(std::move(name));
    }
  }
  for (const std::string& name : names) request->erase(name);
}

namespace {

// Judge up to the policy: the request's context, or its early refusal.
Judged Identify(GatewayState& state, const Caller& caller, gateway::Route route, std::string_view body, bool has_body,
                int64_t content_length) {
  const ApiKind api = route.api;
  Judged judged;
  judged.context.api = api;
  judged.context.now_ms = state.now_ms();
  judged.context.ip = caller.ip;
  judged.context.asn = caller.asn;
  judged.context.tls = caller.tls;
  judged.context.ua = caller.ua;
  judged.context.has_body = has_body;
  judged.context.content_length = content_length;
  judged.early = true;
  if (caller.api_key.empty()) {
    judged.decision =
        Early(401, ErrorKind::kAuthentication, "missing_api_key", "unauthenticated",
              api == ApiKind::kAnthropic ? "x-api-key header is required"
                                         : "You didn't provide an API key. Use Authorization: Bearer KEY.");
    return judged;
  }
  if (caller.conflicting_keys) {
    judged.decision = Early(400, ErrorKind::kInvalidRequest, "conflicting_api_keys", "bad_request",
                            "Send one API key: the request carries more than one (x-api-key and Authorization "
                            "fields, together or repeated).");
    return judged;
  }
  judged.keys = state.keys();
  if (judged.keys == nullptr) {
    judged.decision = Early(503, ErrorKind::kOverloaded, "state_unavailable", "state_unavailable",
                            "The service cannot check API keys right now. Please retry shortly.");
    return judged;
  }
  judged.context.identity = judged.keys->Find(caller.api_key);
  if (judged.context.identity == nullptr) {
    judged.decision = Early(401, ErrorKind::kAuthentication, "invalid_api_key", "unauthenticated",
                            api == ApiKind::kAnthropic ? "invalid x-api-key" : "Incorrect API key provided.");
    return judged;
  }
  if (has_body) {
    absl::StatusOr<gateway::ApiRequest> parsed = gateway::ParseEndpointRequest(route.endpoint, body);
    if (!parsed.ok()) {
      judged.decision = Early(400, ErrorKind::kInvalidRequest, "invalid_request", "bad_request",
                              std::string(gateway::internal::Message(parsed.status())));
      return judged;
    }
    judged.context.request = *std::move(parsed);
  }
  judged.early = false;
  return judged;
}

asio::awaitable<void> AdjustOn(gateway::LimiterStore& limiter, GatewayState& state,
                               std::vector<gateway::CellGroup> deltas, int64_t now_ms) {
  absl::Status status = co_await limiter.Adjust(deltas, now_ms);
  if (!status.ok()) state.metrics().CountSettleError();
}

}  // namespace

asio::awaitable<Judged> Judge(GatewayState& state, gateway::LimiterStore& limiter, const Caller& caller,
                              gateway::Route route, std::string_view body, bool has_body, int64_t content_length) {
  auto received = std::chrono::steady_clock::now();
  Judged judged = Identify(state, caller, route, body, has_body, content_length);
  if (judged.early) co_return judged;
  auto started = std::chrono::steady_clock::now();
  std::shared_ptr<const gateway::VerdictSet> verdicts = state.verdicts().Snapshot();
  judged.decision = co_await gateway::Admit(limiter, state.policy(), judged.context, *verdicts);
  state.metrics().limiter_latency().Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (judged.decision.degraded) state.metrics().CountDegraded();
  state.metrics().request_latency().Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - received).count());
  co_return judged;
}

Judged Authenticate(GatewayState& state, const Caller& caller, ApiKind api) {
  Judged judged = Identify(state, caller, gateway::Route{.api = api, .endpoint = gateway::Endpoint::kPassThrough}, {},
                           /*has_body=*/false, 0);
  if (judged.early) return judged;
  judged.context.has_body = true;  // no model to gate on: nothing generated here
  gateway::Admission admission = state.policy().Begin(judged.context, *state.verdicts().Snapshot());
  judged.decision = std::move(admission.decision);
  judged.decision.allowed = judged.decision.allowed || !admission.groups.empty();  // limits are not charged
  if (judged.decision.allowed) judged.decision.reason = "ok";
  judged.decision.limits[0] = judged.decision.limits[1] = judged.decision.limits[2] = gateway::LimitState{};
  return judged;
}

asio::awaitable<Judged> JudgeBatch(GatewayState& state, gateway::LimiterStore& limiter, const Caller& caller,
                                   std::string_view body, std::vector<gateway::RequestContext>* contexts) {
  Judged judged = Identify(state, caller,
                           gateway::Route{.api = ApiKind::kAnthropic, .endpoint = gateway::Endpoint::kMessageBatches},
                           {}, /*has_body=*/false, 0);
  if (judged.early) co_return judged;
  auto bad = [&](std::string message) {
    judged.early = true;
    judged.decision = Early(400, ErrorKind::kInvalidRequest, "invalid_request", "bad_request", std::move(message));
    return judged;
  };
  simdjson::dom::parser parser;
  simdjson::dom::array requests;
  if (parser.parse(body.data(), body.size()).at_key("requests").get_array().get(requests)) {
    co_return bad("requests: Field required (an array of {custom_id, params})");
  }
  size_t request_idx = 0;
  for (simdjson::dom::element entry : requests) {
    simdjson::dom::element params;
    std::string_view custom_id;
    if (entry.at_key("params").get(params) || entry.at_key("custom_id").get_string().get(custom_id)) {
      co_return bad(fmt::format("requests[{}]: needs custom_id and params", request_idx));
    }
    absl::StatusOr<gateway::ApiRequest> parsed =
        gateway::ParseApiRequest(ApiKind::kAnthropic, simdjson::minify(params));
    if (!parsed.ok()) {
      co_return bad(
          fmt::format("requests[{}] ({}): {}", request_idx, custom_id, gateway::internal::Message(parsed.status())));
    }
    gateway::RequestContext context = judged.context;
    context.has_body = true;
    context.request = *std::move(parsed);
    contexts->push_back(std::move(context));
    ++request_idx;
  }
  if (contexts->empty()) co_return bad("requests: at least one request is required");
  std::shared_ptr<const gateway::VerdictSet> verdicts = state.verdicts().Snapshot();
  size_t refused_index = 0;
  gateway::Admission admission = state.policy().BeginBatch(*contexts, *verdicts, &refused_index);
  if (!admission.decision.allowed && admission.groups.empty()) {
    admission.decision.message = fmt::format("requests[{}]: {}", refused_index, admission.decision.message);
  }
  judged.decision = co_await gateway::Admit(limiter, state.policy(), std::move(admission), judged.context.now_ms);
  if (judged.decision.degraded) state.metrics().CountDegraded();
  if (!judged.decision.allowed && judged.decision.status == 429) {
    judged.decision.message = fmt::format("This batch of {} requests: {}", contexts->size(), judged.decision.message);
  }
  co_return judged;
}

void Settle(GatewayState& state, gateway::LimiterStore& limiter, const asio::any_io_executor& executor,
            const Decision& decision, int64_t input_tokens, int64_t output_tokens) {
  std::vector<gateway::CellGroup> deltas = state.policy().Settlement(decision, input_tokens, output_tokens);
  if (deltas.empty()) return;
  if (std::optional<absl::Status> done = limiter.AdjustIfImmediate(deltas, state.now_ms())) {
    if (!done->ok()) state.metrics().CountSettleError();
    return;
  }
  asio::co_spawn(executor, AdjustOn(limiter, state, std::move(deltas), state.now_ms()), asio::detached);
}

void Account(GatewayState& state, const Judged& judged, const Caller& caller, std::string_view endpoint, int status,
             int64_t input_tokens, int64_t output_tokens) {
  const Decision& decision = judged.decision;
  Reason reason = decision.allowed ? Reason::kOk : ReasonOf(decision.reason);
  state.metrics().CountDecision(decision.action, reason);
  if (judged.context.identity == nullptr || !state.records_events()) return;  // nobody to attribute it to, or nowhere
  gateway::EventOutcome outcome{.api_key = caller.api_key,
                                .endpoint = endpoint,
                                .country = caller.country,
                                .status = status,
                                .input_tokens = input_tokens,
                                .output_tokens = output_tokens};
  state.RecordEvent(gateway::EventLine(judged.context, outcome, state.config().event_prompts));
}

Response ErrorResponse(ApiKind api, const Decision& decision, unsigned version, bool keep_alive, int64_t now_ms) {
  Response response{static_cast<http::status>(decision.status), version};
  response.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : gateway::RateLimitHeaders(api, decision, now_ms)) response.set(name, value);
  if (!decision.code.empty()) response.set("x-hydraguard-code", decision.code);
  std::string request_id = gateway::NewRequestId();
  response.set(gateway::RequestIdHeader(api), request_id);
  response.body() = gateway::ErrorBody(api, decision.error, decision.message, decision.code, request_id);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

Response PlainResponse(const Request& request, unsigned status, std::string_view content_type, std::string body) {
  Response response{static_cast<http::status>(status), request.version()};
  response.set(http::field::content_type, boost::beast::string_view(content_type.data(), content_type.size()));
  response.body() = std::move(body);
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

namespace {

Response CheckResponse(GatewayState& state, const Request& request, const Judged& judged, const Caller& caller,
                       ApiKind api, std::string_view original, bool json) {
  const Decision& decision = judged.decision;
  int64_t now_ms = judged.context.now_ms;
  // A reservation the caller may settle later with the real usage (POST /usage).
  // Opt-in (x-hydraguard-report-usage: 1): a book entry per check would cost
  // every caller that never reports.
  std::string request_id;
  if (decision.allowed && !decision.reservations.empty() && HeaderValue(request, "x-hydraguard-report-usage") == "1") {
    request_id = gateway::NewRequestId();
    state.reservations().Put(request_id, decision.reservations, now_ms);
  }
  Account(state, judged, caller, original.empty() ? std::string_view("/check") : original.substr(0, original.find('?')),
          decision.allowed ? 200 : decision.status, -1, -1);
  gateway::Headers headers = gateway::RateLimitHeaders(api, decision, now_ms);
  if (json) {
    std::string body = fmt::format("{{\"allowed\":{},\"status\":{},\"action\":\"{}\",\"reason\":", decision.allowed,
                                   decision.allowed ? 200 : decision.status, ActionHeader(decision));
    io::AppendJsonString(&body, decision.reason);
    body += ",\"code\":";
    io::AppendJsonString(&body, decision.code);
    body += ",\"message\":";
    io::AppendJsonString(&body, decision.message);
    body += ",\"account\":";
    io::AppendJsonString(&body, judged.context.identity ? std::string_view(judged.context.identity->account) : "");
    body += ",\"campaign\":";
    io::AppendJsonString(&body, decision.campaign);
    body += ",\"verdict\":";
    io::AppendJsonString(&body, decision.verdict_reason);
    body += ",\"limiter\":";
    io::AppendJsonString(&body, decision.limiter);
    body += ",\"request_id\":";
    io::AppendJsonString(&body, request_id);
    fmt::format_to(std::back_inserter(body),
                   ",\"retry_after_ms\":{},\"suspect\":{},\"strip_thinking\":{},\"degraded\":{},"
                   "\"estimated_input_tokens\":{},\"estimated_output_tokens\":{},\"headers\":{{",
                   decision.retry_after_ms, decision.suspect, decision.strip_thinking, decision.degraded,
                   decision.estimated_input_tokens, decision.estimated_output_tokens);
    for (size_t index = 0; index < headers.size(); ++index) {
      if (index > 0) body += ",";
      io::AppendJsonString(&body, headers[index].first);
      body += ":";
      io::AppendJsonString(&body, headers[index].second);
    }
    body += "}}";
    return PlainResponse(request, 200, "application/json", std::move(body));
  }
  // nginx auth_request understands 2xx (allow), 401 and 403 (deny); the real
  // status travels in x-hydraguard-status for the nginx config to map.
  unsigned status = decision.allowed ? 204 : decision.status == 401 ? 401 : 403;
  Response response{static_cast<http::status>(status), request.version()};
  for (const auto& [name, value] : headers) response.set(name, value);
  response.set("x-hydraguard-status", std::to_string(decision.allowed ? 200 : decision.status));
  if (!request_id.empty()) response.set("x-hydraguard-request-id", request_id);
  response.set("x-hydraguard-action", ActionHeader(decision));
  if (!decision.reason.empty()) response.set("x-hydraguard-reason", decision.reason);
  if (!decision.code.empty()) response.set("x-hydraguard-code", decision.code);
  if (decision.suspect) response.set(state.config().suspect_header, ActionHeader(decision));
  if (decision.strip_thinking) response.set("x-hydraguard-strip-thinking", "1");
  if (!decision.allowed) {
    std::string request_id = gateway::NewRequestId();
    response.set(gateway::RequestIdHeader(api), request_id);
    response.set(http::field::content_type, "application/json");
    response.body() = gateway::ErrorBody(api, decision.error, decision.message, decision.code, request_id);
  }
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  return response;
}

}  // namespace

asio::awaitable<Response> HandleCheck(GatewayState& state, gateway::LimiterStore& limiter, const Request& request,
                                      const ingest::IpAddress& peer, bool json) {
  state.metrics().CountEndpoint("check");
  // nginx passes the original request line in X-Original-URI (auth_request).
  std::string_view original = HeaderValue(request, "x-original-uri");
  gateway::Route route = gateway::RouteOf(original).value_or(gateway::Route{});
  ApiKind api = route.api;
  bool has_body = !request.body().empty();
  int64_t content_length = ParseInt(HeaderValue(request, "x-original-content-length"), 0);
  Caller caller = IdentifyCaller(request, peer, state.config());
  Judged judged;
  if (route.endpoint == gateway::Endpoint::kMessageBatches && has_body) {
    std::vector<gateway::RequestContext> contexts;  // the batch is judged whole; recorded as one check
    judged = co_await JudgeBatch(state, limiter, caller, request.body(), &contexts);
  } else if (route.endpoint == gateway::Endpoint::kPassThrough ||
             route.endpoint == gateway::Endpoint::kMessageBatches) {
    // Without the body a batch cannot be judged: nginx auth_request callers
    // should send batches to the reverse proxy or /check.json (docs/gateway.md).
    judged = Authenticate(state, caller, api);
  } else {
    judged = co_await Judge(state, limiter, caller, route, request.body(), has_body, content_length);
  }
  co_return CheckResponse(state, request, judged, caller, api, original, json);
}

Response HandleMetrics(GatewayState& state, const Request& request) {
  return PlainResponse(request, 200, "text/plain; version=0.0.4", state.metrics().Render());
}

}  // namespace hydraguard::server
