#include "gateway/policy.h"

#include <algorithm>
#include <cmath>

#include "engine/signal.h"
#include "fmt/format.h"
#include "ingest/interner.h"
#include "text/template_sketch.h"

namespace hydraguard::gateway {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 86'400'000;

struct CellSpec {
  std::string_view name;
  int64_t Limits::*limit;
  int64_t period_ms;
  LimitKind kind;
};
constexpr CellSpec kCellSpecs[] = {
    {"rpm", &Limits::requests_per_minute, kMinuteMs, LimitKind::kRequests},
    {"rpd", &Limits::requests_per_day, kDayMs, LimitKind::kRequests},
    {"itpm", &Limits::input_tokens_per_minute, kMinuteMs, LimitKind::kInputTokens},
    {"itpd", &Limits::input_tokens_per_day, kDayMs, LimitKind::kInputTokens},
    {"otpm", &Limits::output_tokens_per_minute, kMinuteMs, LimitKind::kOutputTokens},
    {"otpd", &Limits::output_tokens_per_day, kDayMs, LimitKind::kOutputTokens},
};
constexpr std::string_view kVerifyCell = "vrd";  // requests a day above which verification is required

const CellSpec* SpecOf(std::string_view name) {
  for (const CellSpec& spec : kCellSpecs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

void AddCells(const Limits& limits, int64_t input_tokens, int64_t output_tokens, CellGroup* group) {
  for (const CellSpec& spec : kCellSpecs) {
    int64_t limit = limits.*spec.limit;
    if (limit <= 0) continue;
    int64_t cost = spec.kind == LimitKind::kRequests      ? 1
                   : spec.kind == LimitKind::kInputTokens ? input_tokens
                                                          : std::min(output_tokens, limit);
    group->cells.push_back({std::string(spec.name), Rate{limit, spec.period_ms}, cost});
  }
}

bool ModelMatches(std::string_view pattern, std::string_view model) {
  if (!pattern.empty() && pattern.back() == '*') return model.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == model;
}

std::string_view UnitOf(LimitKind kind) {
  switch (kind) {
    case LimitKind::kRequests:
      return "requests";
    case LimitKind::kInputTokens:
      return "input tokens";
    case LimitKind::kOutputTokens:
      return "output tokens";
  }
  return "units";
}

// The identity dimension of a group tag ("payment:fp_1" → "payment").
std::string_view DimensionOfTag(std::string_view tag) { return tag.substr(0, tag.find(':')); }

// Link signals of the engine whose keys are computed from prompt text, so
// that the gateway describes a request's system prompt and templates exactly
// as campaigns.json does. Unregistered signals are skipped.
struct TextIndicators {
  std::unique_ptr<engine::LinkSignal> system_prompt, prompt_template;
  TextIndicators() {
    auto& registry = engine::Registry<engine::LinkSignal>();
    if (auto it = registry.find("system_prompt"); it != registry.end())
      system_prompt = it->second.make(it->second.info.defaults);
    if (auto it = registry.find("prompt_template"); it != registry.end()) {
      engine::SignalParams params = it->second.info.defaults;
      params["bands"] = text::kLshBands;  // every band: campaigns.json may list any of the engine's
      prompt_template = it->second.make(params);
    }
  }
};

const TextIndicators& Text() {
  static const TextIndicators* indicators = new TextIndicators();
  return *indicators;
}

void AddTextValues(const engine::LinkSignal* signal, std::string_view kind, const ingest::Event& event,
                   RequestFacts* facts) {
  if (signal == nullptr) return;
  static const ingest::Interners* kNoNames = new ingest::Interners();
  engine::KeySink sink;
  signal->Keys(event, sink);
  for (int index = 0; index < sink.size; ++index)
    facts->values.emplace_back(kind, signal->Describe(sink.keys[index], *kNoNames));
}

}  // namespace

std::optional<LimitKind> LimitKindOfCell(std::string_view cell) {
  const CellSpec* spec = SpecOf(cell);
  if (spec == nullptr) return std::nullopt;
  return spec->kind;
}

bool Policy::TextIndicatorsAvailable() { return Text().system_prompt != nullptr && Text().prompt_template != nullptr; }

Policy::Policy(const GatewayConfig& config)
    : config_(config), rules_{config.indicator_min_signals, config.indicator_action, config.weak_indicator_action} {}

RequestFacts Policy::Facts(const RequestContext& context) const {
  const Identity& identity = *context.identity;
  RequestFacts facts{.account = identity.account, .campaign = identity.campaign};
  if (!identity.payment.empty()) facts.values.emplace_back("payment", identity.payment);
  if (!identity.email_domain.empty()) facts.values.emplace_back("email_domain", identity.email_domain);
  if (!context.tls.empty() || !context.ua.empty()) {
    // As engine/signals ClientStackLink describes its key.
    facts.values.emplace_back("client_stack", fmt::format("tls={} ua={}", context.tls.empty() ? "-" : context.tls,
                                                          context.ua.empty() ? "-" : context.ua));
  }
  facts.values.emplace_back("ip", context.ip.ToString());
  facts.values.emplace_back("ip_prefix", context.ip.PrefixString());
  if (context.asn != 0) facts.values.emplace_back("asn", fmt::format("AS{}", context.asn));  // as the engine writes it
  ingest::Event event;
  event.system = context.request.system;
  event.prompt = context.request.prompt;
  AddTextValues(Text().system_prompt.get(), "system_prompt", event, &facts);
  AddTextValues(Text().prompt_template.get(), "prompt_template", event, &facts);
  return facts;
}

namespace {

Decision& Refuse(Decision& decision, int status, ErrorKind error, std::string code, std::string reason,
                 std::string message) {
  decision.allowed = false;
  decision.status = status;
  decision.error = error;
  decision.code = std::move(code);
  decision.reason = std::move(reason);
  decision.message = std::move(message);
  return decision;
}

}  // namespace

Admission Policy::Begin(const RequestContext& context, const VerdictSet& verdicts) const {
  const Identity& identity = *context.identity;
  Admission admission;
  Decision& decision = admission.decision;
  auto refuse = [&admission](int status, ErrorKind error, std::string code, std::string reason, std::string message) {
    Refuse(admission.decision, status, error, std::move(code), std::move(reason), std::move(message));
    return std::move(admission);
  };

  // 1. Verdicts.
  Judgement judgement = verdicts.size() == 0 ? Judgement{.source = "none"} : verdicts.Evaluate(Facts(context), rules_);
  decision.action = judgement.action;
  decision.verdict_source = judgement.source;
  decision.verdict_reason = judgement.reason;
  decision.campaign = judgement.campaign.empty() ? identity.campaign : judgement.campaign;
  if (judgement.action == engine::Action::kBlock) {
    return refuse(403, ErrorKind::kPermission, "blocked", "verdict",
                  "This account is not permitted to use the API. Contact support if you believe this is an error.");
  }
  if (judgement.action == engine::Action::kChallenge) {
    return refuse(403, ErrorKind::kPermission, "verification_required", "verdict",
                  "Additional verification is required for this account before it can continue.");
  }
  decision.suspect = judgement.action == engine::Action::kMonitor || judgement.action == engine::Action::kThrottle;
  decision.strip_thinking = (judgement.action == engine::Action::kMonitor && config_.strip_thinking_monitor) ||
                            (judgement.action == engine::Action::kThrottle && config_.strip_thinking_throttle);

  // 2. Tier and verification.
  auto tier_it = config_.tiers.find(identity.tier.empty() ? config_.default_tier : identity.tier);
  if (tier_it == config_.tiers.end()) tier_it = config_.tiers.find(config_.default_tier);
  const Tier& tier = tier_it->second;
  const bool verified = identity.verified >= config_.verified_level;
  if (!verified && !context.has_body && !tier.verify_models.empty()) {
    // nginx auth_request sends no body: the model is unknown, and the gate
    // must not open for want of it.
    return refuse(403, ErrorKind::kPermission, "verification_required", "verification_required",
                  fmt::format("Some models of this tier require a verified account ({} or higher), and this request's "
                              "model cannot be seen here.",
                              ingest::VerificationName(config_.verified_level)));
  }
  if (!verified) {
    for (const std::string& pattern : tier.verify_models) {
      if (ModelMatches(pattern, context.request.model)) {
        return refuse(403, ErrorKind::kPermission, "verification_required", "verification_required",
                      fmt::format("Model {} requires a verified account ({} or higher).", context.request.model,
                                  ingest::VerificationName(config_.verified_level)));
      }
    }
  }
  Limits account_limits = tier.limits;
  if (!verified) account_limits = account_limits.Min(config_.unverified_limits);
  if (config_.new_account_ms > 0 && identity.created_ms > 0 &&
      context.now_ms - identity.created_ms < config_.new_account_ms) {
    account_limits = account_limits.Min(config_.new_account_limits);
  }
  if (judgement.action == engine::Action::kThrottle) account_limits = account_limits.Min(config_.throttle_limits);

  // 3. Limiters.
  int64_t chars = context.has_body ? context.request.input_chars : context.content_length;
  decision.estimated_input_tokens =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(static_cast<double>(chars) / config_.chars_per_token)));
  decision.estimated_output_tokens = !context.request.generates ? 0
                                     : context.request.max_tokens > 0 || !context.has_body
                                         ? context.request.max_tokens
                                         : config_.default_output_tokens;
  std::vector<CellGroup> groups;
  groups.push_back({.tag = "account:" + identity.account});
  AddCells(account_limits, decision.estimated_input_tokens, decision.estimated_output_tokens, &groups.back());
  if (!verified && tier.verify_above_requests_per_day > 0) {
    groups.back().cells.push_back({std::string(kVerifyCell), Rate{tier.verify_above_requests_per_day, kDayMs}, 1});
  }
  for (const SharedLimit& shared : config_.shared) {
    std::string value;
    switch (shared.dimension) {
      case Dimension::kAccount:
        break;
      case Dimension::kOrg:
        value = identity.org;
        break;
      case Dimension::kPayment:
        value = identity.payment;
        break;
      case Dimension::kIpPrefix:
        value = context.ip.PrefixString();
        break;
      case Dimension::kAsn:
        value = context.asn == 0 ? "" : std::to_string(context.asn);
        break;
      case Dimension::kCampaign:
        value = decision.campaign;
        break;
    }
    if (value.empty()) continue;
    CellGroup group{.tag = fmt::format("{}:{}", DimensionName(shared.dimension), value)};
    AddCells(shared.tier_limits ? tier.limits : shared.limits, decision.estimated_input_tokens,
             decision.estimated_output_tokens, &group);
    if (!group.cells.empty()) groups.push_back(std::move(group));
  }
  std::erase_if(groups, [](const CellGroup& group) { return group.cells.empty(); });
  if (groups.empty()) {
    decision.allowed = true;
    decision.reason = "ok";
  }
  admission.groups = std::move(groups);
  return admission;
}

Admission Policy::BeginBatch(std::span<const RequestContext> contexts, const VerdictSet& verdicts,
                             size_t* refused_index) const {
  Admission batch;
  for (size_t request_idx = 0; request_idx < contexts.size(); ++request_idx) {
    Admission one = Begin(contexts[request_idx], verdicts);
    if (!one.decision.allowed && one.groups.empty() && !one.decision.reason.empty()) {
      *refused_index = request_idx;
      return one;
    }
    if (request_idx == 0) {
      batch = std::move(one);
      continue;
    }
    Decision& decision = batch.decision;
    decision.estimated_input_tokens += one.decision.estimated_input_tokens;
    decision.estimated_output_tokens += one.decision.estimated_output_tokens;
    decision.suspect = decision.suspect || one.decision.suspect;
    if (one.decision.action > decision.action) {  // ordered by strength
      decision.action = one.decision.action;
      decision.verdict_source = one.decision.verdict_source;
      decision.verdict_reason = one.decision.verdict_reason;
      decision.campaign = one.decision.campaign;
    }
    for (CellGroup& group : one.groups) {
      auto same_tag = std::find_if(batch.groups.begin(), batch.groups.end(),
                                   [&](const CellGroup& existing) { return existing.tag == group.tag; });
      if (same_tag == batch.groups.end()) {
        batch.groups.push_back(std::move(group));
        continue;
      }
      for (const Cell& cell : group.cells) {
        auto same_cell = std::find_if(same_tag->cells.begin(), same_tag->cells.end(),
                                      [&](const Cell& existing) { return existing.name == cell.name; });
        if (same_cell == same_tag->cells.end()) {
          same_tag->cells.push_back(cell);
        } else {
          same_cell->cost += cell.cost;
        }
      }
    }
  }
  if (!batch.groups.empty()) {
    batch.decision.allowed = false;  // decided by the store
    batch.decision.reason.clear();
  }
  return batch;
}

std::vector<CellGroup> Policy::Finish(const absl::StatusOr<std::vector<GroupOutcome>>& outcomes,
                                      Admission* admission) const {
  Decision& decision = admission->decision;
  const std::vector<CellGroup>& groups = admission->groups;
  auto refuse = [&decision](int status, ErrorKind error, std::string code, std::string reason, std::string message) {
    Refuse(decision, status, error, std::move(code), std::move(reason), std::move(message));
  };
  if (!outcomes.ok()) {
    if (config_.redis.failure == FailureMode::kOpen) {
      decision.allowed = true;
      decision.degraded = true;
      decision.reason = "ok";
      return {};
    }
    refuse(503, ErrorKind::kOverloaded, "state_unavailable", "state_unavailable",
           "The service is temporarily unable to check rate limits. Please retry shortly.");
    return {};
  }

  bool all_allowed = true;
  for (const GroupOutcome& outcome : *outcomes) all_allowed = all_allowed && outcome.allowed;
  const Cell* refusing_cell = nullptr;
  const CellGroup* refusing_group = nullptr;
  int64_t retry_after = 0;
  for (size_t group_idx = 0; group_idx < groups.size(); ++group_idx) {
    const GroupOutcome& outcome = (*outcomes)[group_idx];
    for (size_t cell_idx = 0; cell_idx < groups[group_idx].cells.size(); ++cell_idx) {
      const Cell& cell = groups[group_idx].cells[cell_idx];
      const CellOutcome& cell_outcome = outcome.cells[cell_idx];
      if (!cell_outcome.allowed && (refusing_cell == nullptr || cell_outcome.retry_after_ms > retry_after ||
                                    (cell.name == kVerifyCell && refusing_cell->name != kVerifyCell))) {
        refusing_cell = &cell;
        refusing_group = &groups[group_idx];
        retry_after = cell_outcome.retry_after_ms;
      }
      const CellSpec* spec = SpecOf(cell.name);
      if (spec == nullptr) continue;
      LimitState& state = decision.limits[static_cast<int>(spec->kind)];
      // A refused request is rolled back everywhere: report what remains
      // without it.
      int64_t remaining = cell_outcome.remaining + (!all_allowed && outcome.allowed ? cell.cost : 0);
      remaining = std::min(remaining, cell.rate.limit);
      if (!state.known || remaining < state.remaining) {
        state = {.known = true,
                 .limit = cell.rate.limit,
                 .remaining = remaining,
                 .reset_ms = cell_outcome.reset_ms,
                 .window_ms = cell.rate.period_ms};
      }
    }
  }
  if (all_allowed) {
    decision.allowed = true;
    decision.reason = "ok";
    for (const CellGroup& group : groups) {
      CellGroup tokens{.tag = group.tag};
      for (const Cell& cell : group.cells) {
        const CellSpec* spec = SpecOf(cell.name);
        if (spec != nullptr && spec->kind != LimitKind::kRequests) tokens.cells.push_back(cell);
      }
      if (!tokens.cells.empty()) decision.reservations.push_back(std::move(tokens));
    }
    return {};
  }

  // Give back what the admitted groups took.
  std::vector<CellGroup> rollback;
  for (size_t group_idx = 0; group_idx < groups.size(); ++group_idx) {
    if (!(*outcomes)[group_idx].allowed) continue;
    CellGroup undo = groups[group_idx];
    for (Cell& cell : undo.cells) cell.cost = -cell.cost;
    rollback.push_back(std::move(undo));
  }

  decision.retry_after_ms = std::max<int64_t>(retry_after, 0);
  decision.limiter = fmt::format("{}:{}", DimensionOfTag(refusing_group->tag), refusing_cell->name);
  if (refusing_cell->name == kVerifyCell) {
    refuse(403, ErrorKind::kPermission, "verification_required", "verification_required",
           fmt::format("More than {} requests a day requires a verified account ({} or higher).",
                       refusing_cell->rate.limit, ingest::VerificationName(config_.verified_level)));
    return rollback;
  }
  const CellSpec* spec = SpecOf(refusing_cell->name);
  std::string_view dimension = DimensionOfTag(refusing_group->tag);
  if (refusing_cell->cost > refusing_cell->rate.limit) {
    // Larger than the whole bucket: no wait would ever admit it, so it is not
    // a 429 (which clients retry) but a request error naming the limit.
    decision.retry_after_ms = 0;
    decision.not_retryable = true;
    refuse(400, ErrorKind::kInvalidRequest, "request_exceeds_limit", "too_large",
           fmt::format("This request's estimated {} ({}) exceed the whole {} limit of {} {} per {} ({}); it can "
                       "never be admitted. Send a smaller request.",
                       UnitOf(spec->kind), refusing_cell->cost, dimension, refusing_cell->rate.limit,
                       UnitOf(spec->kind), spec->period_ms == kMinuteMs ? "minute" : "day", decision.limiter));
    return rollback;
  }
  refuse(429, ErrorKind::kRateLimited, "rate_limited", "rate_limited",
         fmt::format("This request would exceed the {} rate limit of {} {} per {}{}. Retry after {}s.", dimension,
                     refusing_cell->rate.limit, UnitOf(spec->kind), spec->period_ms == kMinuteMs ? "minute" : "day",
                     dimension == "account" ? "" : " shared by every account with the same " + std::string(dimension),
                     (decision.retry_after_ms + 999) / 1000));
  return rollback;
}

std::vector<CellGroup> Policy::Settlement(const Decision& decision, int64_t input_tokens, int64_t output_tokens) const {
  std::vector<CellGroup> deltas;
  for (const CellGroup& group : decision.reservations) {
    CellGroup delta{.tag = group.tag};
    for (const Cell& cell : group.cells) {
      const CellSpec* spec = SpecOf(cell.name);
      int64_t actual = spec->kind == LimitKind::kInputTokens ? input_tokens : output_tokens;
      if (actual < 0 || actual == cell.cost) continue;
      delta.cells.push_back({cell.name, cell.rate, actual - cell.cost});
    }
    if (!delta.cells.empty()) deltas.push_back(std::move(delta));
  }
  return deltas;
}

}  // namespace hydraguard::gateway
