// gateway::Admit (the one admission driver) with a MemoryLimiter, run to its
// end on an event loop: the gateway's whole judgement of one request
// (verdicts, verification, one account group and four shared groups of GCRA
// limiters), with no verdicts and with 10k of them; and
// MemoryLimiter::AcquireNow alone.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "fmt/format.h"
#include "gateway/admission.h"
#include "gateway/memory_limiter.h"
#include "gateway/policy.h"
#include "testing/await.h"

namespace hydraguard::gateway {
namespace {

constexpr int64_t kStart = 1'763'860'000'000;
constexpr int kAccounts = 1024;

// Limits high enough that nothing is ever refused: every Admit does the full
// work of charging all five groups.
GatewayConfig BenchConfig() {
  GatewayConfig config;
  const Limits huge{.requests_per_minute = int64_t{1} << 40,
                    .requests_per_day = int64_t{1} << 40,
                    .input_tokens_per_minute = int64_t{1} << 40,
                    .output_tokens_per_minute = int64_t{1} << 40};
  config.tiers["build"] = Tier{.name = "build", .limits = huge};
  config.default_tier = "build";
  config.keys_file = "keys.jsonl";
  for (Dimension dimension : {Dimension::kOrg, Dimension::kPayment, Dimension::kIpPrefix, Dimension::kAsn}) {
    config.shared.push_back({.dimension = dimension, .limits = huge});
  }
  return config;
}

std::vector<Identity> BenchIdentities() {
  std::vector<Identity> identities;
  for (int i = 0; i < kAccounts; ++i) {
    identities.push_back(Identity{.account = fmt::format("acct-{}", i),
                                  .org = fmt::format("org-{}", i / 8),
                                  .payment = fmt::format("fp_{}", i / 4),
                                  .email_domain = "example.com",
                                  .verified = ingest::Verification::kPayment,
                                  .created_ms = kStart - 90 * 86'400'000LL});
  }
  return identities;
}

RequestContext BenchContext(const Identity& identity, int index) {
  RequestContext context;
  context.identity = &identity;
  context.ip = ingest::IpAddress::FromV4(0xCB007100u + static_cast<uint32_t>(index % 200));  // 203.0.113.x
  context.asn = 64500 + static_cast<uint32_t>(index % 16);
  context.ua = "anthropic-sdk-python/0.40.0";
  context.tls = "t13d1516h2_8daaf6152771_e5627efa2ab1";
  context.request.model = "claude-sonnet-4-5";
  context.request.max_tokens = 1024;
  context.request.system = "You are a helpful assistant that answers concisely.";
  context.request.prompt =
      "Write a detailed technical tutorial that explains how to implement consistent hashing in a production "
      "grade distributed cache, including code examples and common pitfalls.";
  context.request.input_chars = 900;
  context.request.turn = 1;
  return context;
}

// 10k entries of every kind, none of which the benchmark's requests match
// (the common case: a clean request against a full set).
VerdictSet TenThousandVerdicts() {
  VerdictSet set;
  for (int i = 0; i < 10'000; ++i) {
    const std::string n = std::to_string(i);
    switch (i % 8) {
      case 0:
        (void)set.Set("account", "flagged-" + n, {.action = engine::Action::kBlock, .campaign = "c" + n});
        break;
      case 1:
        (void)set.Set("campaign", "c" + n, {.action = engine::Action::kChallenge});
        break;
      case 2:
        (void)set.Set("payment", "fp_bad_" + n, {.campaign = "c" + n});
        break;
      case 3:
        (void)set.Set("prompt_template", "template:" + std::string(16 - n.size(), '0') + n, {.campaign = "c" + n});
        break;
      case 4:
        (void)set.Set("ip", fmt::format("198.51.100.{}-{}", i % 250, n), {.action = engine::Action::kBlock});
        break;
      case 5:
        (void)set.Set("ip_prefix", fmt::format("10.{}.{}.0/24", i / 256 % 256, i % 256),
                      {.action = engine::Action::kThrottle});
        break;
      case 6:
        (void)set.Set("asn", std::to_string(100'000 + i), {.action = engine::Action::kMonitor});
        break;
      default:
        (void)set.Set("client_stack", "tls=bad" + n + " ua=-", {.campaign = "c" + n});
        break;
    }
  }
  return set;
}

void AdmitLoop(benchmark::State& state, const VerdictSet& verdicts) {
  const GatewayConfig config = BenchConfig();
  MemoryLimiter limiter;
  const Policy policy(config);
  boost::asio::io_context io{1};
  const std::vector<Identity> identities = BenchIdentities();
  std::vector<RequestContext> contexts;
  for (int i = 0; i < kAccounts; ++i) contexts.push_back(BenchContext(identities[i], i));
  int64_t now = kStart;
  size_t index = 0;
  int64_t refused = 0;
  for (auto _ : state) {
    RequestContext& context = contexts[index];
    context.now_ms = ++now;
    Decision decision = hydraguard::testing::AwaitNow(io, Admit(limiter, policy, context, verdicts));
    refused += decision.allowed ? 0 : 1;
    benchmark::DoNotOptimize(decision);
    index = (index + 1) % contexts.size();
  }
  if (refused > 0) state.SkipWithError("requests were refused: the benchmark measures admission");
  state.SetItemsProcessed(state.iterations());
}

void BM_PolicyAdmit_NoVerdicts(benchmark::State& state) { AdmitLoop(state, VerdictSet()); }
BENCHMARK(BM_PolicyAdmit_NoVerdicts);

void BM_PolicyAdmit_10kVerdicts(benchmark::State& state) {
  static const VerdictSet* verdicts = new VerdictSet(TenThousandVerdicts());
  AdmitLoop(state, *verdicts);
}
BENCHMARK(BM_PolicyAdmit_10kVerdicts);

// One group of four cells (an account's rpm, rpd, itpm, otpm), as Policy
// sends for each identity.
void BM_MemoryLimiterAcquire(benchmark::State& state) {
  MemoryLimiter limiter;
  const int64_t huge = int64_t{1} << 40;
  std::vector<CellGroup> groups;
  for (int i = 0; i < kAccounts; ++i) {
    groups.push_back({.tag = fmt::format("account:acct-{}", i),
                      .cells = {{"rpm", Rate{huge, 60'000}, 1},
                                {"rpd", Rate{huge, 86'400'000}, 1},
                                {"itpm", Rate{huge, 60'000}, 225},
                                {"otpm", Rate{huge, 60'000}, 1024}}});
  }
  int64_t now = kStart;
  size_t index = 0;
  for (auto _ : state) {
    absl::StatusOr<std::vector<GroupOutcome>> outcome = limiter.AcquireNow({&groups[index], 1}, ++now);
    benchmark::DoNotOptimize(outcome);
    index = (index + 1) % groups.size();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MemoryLimiterAcquire);

}  // namespace
}  // namespace hydraguard::gateway
