// libFuzzer target: arbitrary client bytes (an API request body, headers, the
// identity from a key table) through the gateway's event-line writer, then
// the engine's event parser. Every line must be valid UTF-8 JSON that the
// parser accepts: an event a client can make unparsable is an event hidden
// from detection.
//
// Input: fields separated by NUL bytes: body, user-agent, TLS fingerprint,
// API key, endpoint, country, account, payment, org, e-mail domain. The
// first byte picks the API and whether the body is there.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/event_line.h"
#include "gateway/request.h"
#include "ingest/event_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hydraguard;
  if (size == 0) return 0;
  const uint8_t flags = data[0];
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string_view> fields;
  while (fields.size() < 9) {
    size_t end = input.find('\0');
    if (end == std::string_view::npos) break;
    fields.push_back(input.substr(0, end));
    input.remove_prefix(end + 1);
  }
  fields.push_back(input);
  fields.resize(10);
  auto field = [&](size_t index) { return std::string(fields[index]); };

  // The key table refuses an empty account.
  gateway::Identity identity{.account = fields[6].empty() ? std::string("a") : field(6),
                             .org = field(8),
                             .payment = field(7),
                             .email_domain = field(9)};
  gateway::RequestContext context;
  context.api = (flags & 1) ? gateway::ApiKind::kOpenAi : gateway::ApiKind::kAnthropic;
  context.identity = &identity;
  context.ip = ingest::IpAddress::Parse("2001:db8::1").value();
  context.now_ms = 1'767'400'000'000;
  context.ua = field(1);
  context.tls = field(2);
  context.has_body = (flags & 2) == 0;
  if (context.has_body) {
    absl::StatusOr<gateway::ApiRequest> request = gateway::ParseApiRequest(context.api, fields[0]);
    if (request.ok()) {
      context.request = *std::move(request);
    } else {
      context.request.prompt = field(0);  // raw bytes where parsed text would be
      context.request.system = field(0);
      context.request.model = field(0);
    }
  }
  gateway::EventOutcome outcome{.api_key = fields[3], .endpoint = fields[4], .country = fields[5], .status = 200};
  std::string line = gateway::EventLine(context, outcome);

  std::string padded = line;
  padded.resize(line.size() + 64, ' ');  // simdjson reads past the end
  ingest::Interners interners;
  ingest::EventParser parser(&interners);
  ingest::Event event;
  ingest::ParseError error;
  if (!parser.Parse(std::string_view(padded.data(), line.size()), &event, &error)) __builtin_trap();
  return 0;
}
