// The admin API (HandleAdmin, declared in handlers.h). Every call needs
// "Authorization: Bearer <admin token>"; without a configured token the API
// does not exist (404).
//
//   GET    /admin/verdicts[?kind=K]      {"verdicts":[{"kind":..,"value":..,"action":..,"campaign":..,"reason":..}]}
//   GET    /admin/verdicts/KIND/VALUE    one entry, or 404
//   PUT    /admin/verdicts/KIND/VALUE    body {"action":"block","campaign":"c1","reason":"..."}
//   DELETE /admin/verdicts/KIND/VALUE
//   POST   /admin/reload                 re-read keys and verdicts now
//
// VALUE is percent-encoded ("203.0.113.0%2F24"), and stored as the one
// spelling requests are matched on (gateway::CanonicalVerdictValue): a value
// that could never match (an ip_prefix of another length than /24 or /48,
// host bits set, not an address) is refused with 400 naming the problem. A
// wrong method gets 405 with Allow.
#include <cstring>

#include "fmt/format.h"
#include "gateway/internal/json_lines.h"
#include "io/json_writer.h"
#include "server/handlers.h"
#include "simdjson.h"

namespace hydraguard::server {
namespace http = boost::beast::http;
namespace {

// Constant-time comparison: the token must not leak through timing.
bool SameToken(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int high = hex(text[i + 1]), low = hex(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

Response Json(const Request& request, unsigned status, std::string body) {
  return PlainResponse(request, status, "application/json", std::move(body));
}

Response Error(const Request& request, unsigned status, std::string_view message) {
  std::string body = "{\"error\":";
  io::AppendJsonString(&body, message);
  body += "}";
  return Json(request, status, std::move(body));
}

void AppendEntry(std::string* out, std::string_view kind, std::string_view value, const gateway::VerdictEntry& entry) {
  *out += "{\"kind\":";
  io::AppendJsonString(out, kind);
  *out += ",\"value\":";
  io::AppendJsonString(out, value);
  *out += ",";
  std::string json = entry.ToJson();
  out->append(json, 1, std::string::npos);  // the entry's fields, and its closing brace
}

// The refusal of a call without the admin token, if it is one.
std::optional<Response> Unauthorized(GatewayState& state, const Request& request) {
  const std::string& token = state.config().admin_token;
  if (token.empty()) return Error(request, 404, "the admin API is disabled (no admin_token configured)");
  std::string_view given = HeaderValue(request, "authorization");
  if (!given.starts_with("Bearer ") || !SameToken(given.substr(7), token)) {
    Response response = Error(request, 401, "admin API: missing or wrong bearer token");
    response.set(http::field::www_authenticate, "Bearer");
    return response;
  }
  return std::nullopt;
}

}  // namespace

boost::asio::awaitable<Response> HandleUsage(GatewayState& state, gateway::LimiterStore& limiter,
                                             const Request& request) {
  state.metrics().CountEndpoint("usage");
  if (std::optional<Response> refused = Unauthorized(state, request)) co_return *std::move(refused);
  if (request.method() != http::verb::post) {
    Response response = Error(request, 405, "method not allowed: use POST");
    response.set(http::field::allow, "POST");
    co_return response;
  }
  simdjson::dom::parser parser;
  simdjson::dom::object report;
  std::string_view request_id;
  if (parser.parse(request.body()).get_object().get(report) || report["request_id"].get_string().get(request_id) ||
      request_id.empty()) {
    co_return Error(request, 400, "expected {\"request_id\":\"req_...\",\"input_tokens\":N,\"output_tokens\":N}");
  }
  auto tokens = [&](std::string_view field) -> std::optional<int64_t> {
    simdjson::dom::element value;
    if (report[field].get(value) || value.is_null()) return -1;  // unknown: keep the estimate
    int64_t count = 0;
    if (value.get_int64().get(count) || count < 0) return std::nullopt;
    return count;
  };
  std::optional<int64_t> input = tokens("input_tokens"), output = tokens("output_tokens");
  if (!input || !output) co_return Error(request, 400, "input_tokens and output_tokens: non-negative integers");
  int64_t now_ms = state.now_ms();
  std::optional<std::vector<gateway::CellGroup>> held = state.reservations().Take(std::string(request_id), now_ms);
  if (!held) co_return Error(request, 404, "no reservation with this request_id (unknown, settled or expired)");
  gateway::Decision decision;
  decision.reservations = *std::move(held);
  std::vector<gateway::CellGroup> deltas = state.policy().Settlement(decision, *input, *output);
  absl::Status status = absl::OkStatus();
  if (!deltas.empty()) {
    if (std::optional<absl::Status> done = limiter.AdjustIfImmediate(deltas, now_ms)) {
      status = *done;
    } else {
      status = co_await limiter.Adjust(deltas, now_ms);
    }
  }
  if (!status.ok()) {
    state.metrics().CountSettleError();
    co_return Error(request, 503, gateway::internal::Message(status));
  }
  co_return Json(request, 200, "{\"settled\":true}");
}

Response HandleAdmin(GatewayState& state, const Request& request) {
  if (std::optional<Response> refused = Unauthorized(state, request)) return *std::move(refused);
  std::string_view target(request.target().data(), request.target().size());
  std::string_view path = PathOf(request);
  std::string_view query = target.size() > path.size() ? target.substr(path.size() + 1) : std::string_view();

  auto not_allowed = [&](std::string_view allow) {
    Response response = Error(request, 405, fmt::format("method not allowed: use {}", allow));
    response.set(http::field::allow, std::string(allow));
    return response;
  };
  if (path == "/admin/reload" && request.method() != http::verb::post) return not_allowed("POST");
  if (path == "/admin/verdicts" && request.method() != http::verb::get) return not_allowed("GET");
  if (path == "/admin/reload") {
    absl::Status status = state.Reload();
    if (!status.ok()) return Error(request, 500, gateway::internal::Message(status));
    return Json(request, 200, "{\"reloaded\":true}");
  }
  if (path == "/admin/verdicts") {
    std::string kind_filter;
    if (query.starts_with("kind=")) kind_filter = PercentDecode(query.substr(5)).value_or("");
    std::shared_ptr<const gateway::VerdictSet> snapshot = state.verdicts().Snapshot();
    std::string body = "{\"verdicts\":[";
    bool first = true;
    for (const auto& [kind, value, entry] : snapshot->List()) {
      if (!kind_filter.empty() && kind != kind_filter) continue;
      if (!first) body += ",";
      first = false;
      AppendEntry(&body, kind, value, *entry);
    }
    body += "]}";
    return Json(request, 200, std::move(body));
  }
  constexpr std::string_view kPrefix = "/admin/verdicts/";
  if (!path.starts_with(kPrefix)) return Error(request, 404, "unknown admin path");
  std::string_view rest = path.substr(kPrefix.size());
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return Error(request, 404, "expected /admin/verdicts/KIND/VALUE");
  std::string kind(rest.substr(0, slash));
  std::optional<std::string> value = PercentDecode(rest.substr(slash + 1));
  if (!gateway::IsVerdictKind(kind)) return Error(request, 400, fmt::format("unknown verdict kind \"{}\"", kind));
  if (!value || value->empty()) return Error(request, 400, "VALUE: empty or badly percent-encoded");
  absl::StatusOr<std::string> canonical = gateway::CanonicalVerdictValue(kind, *value);
  if (!canonical.ok()) return Error(request, 400, gateway::internal::Message(canonical.status()));
  value = *std::move(canonical);
  switch (request.method()) {
    case http::verb::get: {
      std::shared_ptr<const gateway::VerdictSet> snapshot = state.verdicts().Snapshot();
      const gateway::VerdictEntry* entry = snapshot->Find(kind, *value);
      if (entry == nullptr) return Error(request, 404, "no such verdict");
      std::string body;
      AppendEntry(&body, kind, *value, *entry);
      return Json(request, 200, std::move(body));
    }
    case http::verb::put:
    case http::verb::post: {
      absl::StatusOr<gateway::VerdictEntry> entry = gateway::VerdictEntry::FromJson(request.body(), kind);
      if (!entry.ok()) return Error(request, 400, gateway::internal::Message(entry.status()));
      if (entry->reason.empty()) entry->reason = "set by an operator";
      std::string body;
      AppendEntry(&body, kind, *value, *entry);
      if (absl::Status status = state.SetVerdict(kind, *value, *std::move(entry)); !status.ok()) {
        return Error(request, absl::IsUnavailable(status) ? 503 : 400, gateway::internal::Message(status));
      }
      return Json(request, 200, std::move(body));
    }
    case http::verb::delete_: {
      bool existed = false;
      if (absl::Status status = state.RemoveVerdict(kind, *value, &existed); !status.ok()) {
        return Error(request, 503, gateway::internal::Message(status));
      }
      return existed ? Json(request, 200, "{\"deleted\":true}") : Error(request, 404, "no such verdict");
    }
    default:
      return not_allowed("GET, PUT, POST, DELETE");
  }
}

}  // namespace hydraguard::server
