#include "gateway/policy.h"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "fmt/format.h"
#include "gateway/admission.h"
#include "gateway/memory_limiter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/await.h"

namespace hydraguard::gateway {
namespace {

using engine::Action;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'763'860'123'457;
constexpr int64_t kDayMs = 86'400'000;

// A LimiterStore whose backend is down.
class FailingLimiter : public LimiterStore {
 public:
  boost::asio::awaitable<absl::StatusOr<std::vector<GroupOutcome>>> Acquire(std::span<const CellGroup>,
                                                                            int64_t) override {
    ++acquires;
    co_return absl::UnavailableError("redis: connection refused");
  }
  boost::asio::awaitable<absl::Status> Adjust(std::span<const CellGroup>, int64_t) override {
    ++adjusts;
    co_return absl::UnavailableError("redis: connection refused");
  }
  int acquires = 0;
  int adjusts = 0;
};

// A MemoryLimiter that records what it is asked.
class RecordingLimiter : public LimiterStore {
 public:
  boost::asio::awaitable<absl::StatusOr<std::vector<GroupOutcome>>> Acquire(std::span<const CellGroup> groups,
                                                                            int64_t now_ms) override {
    acquired.assign(groups.begin(), groups.end());
    co_return memory.AcquireNow(groups, now_ms);
  }
  boost::asio::awaitable<absl::Status> Adjust(std::span<const CellGroup> groups, int64_t now_ms) override {
    adjusted.insert(adjusted.end(), groups.begin(), groups.end());
    co_return memory.AdjustNow(groups, now_ms);
  }
  MemoryLimiter memory;
  std::vector<CellGroup> acquired;
  std::vector<CellGroup> adjusted;
};

// Policy run by the one admission driver over `store`, from plain code, with
// settlement as the server does it (Settlement, then Adjust).
class Driven {
 public:
  Driven(const GatewayConfig& config, LimiterStore* store) : policy_(config), store_(store) {}

  Decision Admit(const RequestContext& context, const VerdictSet& verdicts) const {
    return hydraguard::testing::AwaitNow(gateway::Admit(*store_, policy_, context, verdicts));
  }
  absl::Status Settle(const Decision& decision, int64_t input_tokens, int64_t output_tokens, int64_t now_ms) const {
    std::vector<CellGroup> deltas = policy_.Settlement(decision, input_tokens, output_tokens);
    if (deltas.empty()) return absl::OkStatus();
    return hydraguard::testing::AwaitNow(store_->Adjust(deltas, now_ms));
  }
  RequestFacts Facts(const RequestContext& context) const { return policy_.Facts(context); }

 private:
  Policy policy_;
  LimiterStore* store_;
};

const Cell* FindCell(const std::vector<CellGroup>& groups, std::string_view tag, std::string_view name) {
  for (const CellGroup& group : groups) {
    if (group.tag != tag) continue;
    for (const Cell& cell : group.cells)
      if (cell.name == name) return &cell;
  }
  return nullptr;
}

class PolicyTest : public ::testing::Test {
 protected:
  PolicyTest() {
    config_.tiers["free"] = Tier{.name = "free"};
    config_.default_tier = "free";
    config_.keys_file = "keys.jsonl";
  }

  Limits& TierLimits(const std::string& tier = "free") { return config_.tiers[tier].limits; }

  static Identity Who(std::string account, std::string payment = "") {
    return Identity{
        .account = std::move(account), .payment = std::move(payment), .verified = ingest::Verification::kPayment};
  }

  // 400 chars of input (100 tokens at 4 chars a token), max_tokens 100.
  static RequestContext Context(const Identity& who, std::string_view ip = "203.0.113.7", int64_t now = kNow) {
    RequestContext context;
    context.identity = &who;
    context.ip = ingest::IpAddress::Parse(ip).value();
    context.now_ms = now;
    context.request.model = "claude-sonnet-4-5";
    context.request.max_tokens = 100;
    context.request.input_chars = 400;
    context.request.prompt = "hello";
    context.request.turn = 1;
    return context;
  }

  Decision Admit(const RequestContext& context, const VerdictSet& verdicts = VerdictSet()) {
    Driven policy(config_, &limiter_);
    return policy.Admit(context, verdicts);
  }

  // Admits `context` until refused; returns how many were admitted (at most `cap`).
  int AdmitUntilRefused(const RequestContext& context, Decision* refused, int cap = 1000,
                        const VerdictSet& verdicts = VerdictSet()) {
    for (int i = 0; i < cap; ++i) {
      Decision decision = Admit(context, verdicts);
      if (!decision.allowed) {
        *refused = decision;
        return i;
      }
    }
    return cap;
  }

  // What the account's limiter `name` (rate limit/period) still holds.
  int64_t Remaining(std::string_view tag, std::string_view name, int64_t limit, int64_t period_ms) {
    CellGroup peek{.tag = std::string(tag), .cells = {{std::string(name), Rate{limit, period_ms}, 0}}};
    absl::StatusOr<std::vector<GroupOutcome>> outcome = limiter_.AcquireNow({&peek, 1}, kNow);
    EXPECT_TRUE(outcome.ok());
    return outcome->front().cells.front().remaining;
  }

  GatewayConfig config_;
  MemoryLimiter limiter_;
};

void ExpectRateLimited(const Decision& decision, std::string_view limiter) {
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.status, 429);
  EXPECT_EQ(decision.error, ErrorKind::kRateLimited);
  EXPECT_EQ(decision.code, "rate_limited");
  EXPECT_EQ(decision.reason, "rate_limited");
  EXPECT_EQ(decision.limiter, limiter);
  EXPECT_GT(decision.retry_after_ms, 0);
  EXPECT_TRUE(decision.reservations.empty());
}

TEST_F(PolicyTest, NoLimitsAdmitsWithoutTheStore) {
  FailingLimiter failing;
  Driven policy(config_, &failing);
  Identity who = Who("a1");
  Decision decision = policy.Admit(Context(who), VerdictSet());
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.reason, "ok");
  EXPECT_FALSE(decision.degraded);
  EXPECT_EQ(failing.acquires, 0);
  EXPECT_EQ(decision.action, Action::kAllow);
  EXPECT_EQ(decision.verdict_source, "none");
}

struct TierCase {
  std::string name;
  int64_t Limits::*field;
  int64_t limit;
  int admitted;  // with 100 input tokens and max_tokens 100 per request
  int64_t retry_after_ms;
};

class PolicyTierTest : public PolicyTest, public ::testing::WithParamInterface<TierCase> {};

// Each tier limit refuses at the right request, naming itself.
TEST_P(PolicyTierTest, RefusesAtTheLimit) {
  const TierCase& c = GetParam();
  TierLimits().*c.field = c.limit;
  Identity who = Who("a1");
  Decision refused;
  EXPECT_EQ(AdmitUntilRefused(Context(who), &refused), c.admitted);
  ExpectRateLimited(refused, "account:" + c.name);
  EXPECT_EQ(refused.retry_after_ms, c.retry_after_ms);
  EXPECT_THAT(refused.message, HasSubstr("account rate limit of " + std::to_string(c.limit)));
  // Another account is not affected.
  Identity other = Who("a2");
  EXPECT_TRUE(Admit(Context(other)).allowed);
}

INSTANTIATE_TEST_SUITE_P(Limits, PolicyTierTest,
                         ::testing::Values(TierCase{"rpm", &Limits::requests_per_minute, 3, 3, 20'000},
                                           TierCase{"rpd", &Limits::requests_per_day, 3, 3, kDayMs / 3},
                                           // 4th request: 400 tokens of 350 → 50 tokens of 60000/350 ms.
                                           TierCase{"itpm", &Limits::input_tokens_per_minute, 350, 3, 8'572},
                                           TierCase{"itpd", &Limits::input_tokens_per_day, 350, 3, 12'342'858},
                                           TierCase{"otpm", &Limits::output_tokens_per_minute, 350, 3, 8'572},
                                           TierCase{"otpd", &Limits::output_tokens_per_day, 350, 3, 12'342'858}),
                         [](const ::testing::TestParamInfo<TierCase>& info) { return info.param.name; });

TEST_F(PolicyTest, RateLimitMessageAndState) {
  TierLimits() = {.requests_per_minute = 2, .requests_per_day = 100};
  Identity who = Who("a1");
  Decision first = Admit(Context(who));
  ASSERT_TRUE(first.allowed);
  EXPECT_EQ(first.reason, "ok");
  EXPECT_EQ(first.status, 200);
  const LimitState& requests = first.limits[static_cast<int>(LimitKind::kRequests)];
  EXPECT_TRUE(requests.known);
  EXPECT_EQ(requests.limit, 2);  // the tightest: rpm (1 left), not rpd (99)
  EXPECT_EQ(requests.remaining, 1);
  EXPECT_EQ(requests.window_ms, 60'000);
  EXPECT_EQ(requests.reset_ms, 30'000);
  EXPECT_FALSE(first.limits[static_cast<int>(LimitKind::kInputTokens)].known);
  EXPECT_FALSE(first.limits[static_cast<int>(LimitKind::kOutputTokens)].known);
  ASSERT_TRUE(Admit(Context(who)).allowed);
  Decision refused = Admit(Context(who));
  ExpectRateLimited(refused, "account:rpm");
  EXPECT_EQ(refused.message,
            "This request would exceed the account rate limit of 2 requests per minute. Retry after 30s.");
  EXPECT_EQ(refused.limits[static_cast<int>(LimitKind::kRequests)].remaining, 0);
  // After the wait, admitted again.
  EXPECT_TRUE(Admit(Context(who, "203.0.113.7", kNow + refused.retry_after_ms)).allowed);
}

TEST_F(PolicyTest, InputAboveTheLimitIsNeverAdmitted) {
  TierLimits().input_tokens_per_minute = 50;
  Identity who = Who("a1");
  Decision refused = Admit(Context(who));
  // Not a 429 (clients retry those, forever here): a request error naming the limit.
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.error, ErrorKind::kInvalidRequest);
  EXPECT_EQ(refused.code, "request_exceeds_limit");
  EXPECT_EQ(refused.limiter, "account:itpm");
  EXPECT_EQ(refused.retry_after_ms, 0);
  EXPECT_TRUE(refused.not_retryable);
  EXPECT_EQ(refused.message,
            "This request's estimated input tokens (100) exceed the whole account limit of 50 input tokens per minute "
            "(account:itpm); it can never be admitted. Send a smaller request.");
  EXPECT_TRUE(refused.reservations.empty());
  EXPECT_FALSE(Admit(Context(who, "203.0.113.7", kNow + 3'600'000)).allowed);
}

TEST_F(PolicyTest, TierOfTheIdentityOrTheDefault) {
  config_.tiers["pro"] = Tier{.name = "pro", .limits = {.requests_per_minute = 5}};
  TierLimits("free").requests_per_minute = 1;
  Identity pro = Who("a-pro");
  pro.tier = "pro";
  Decision refused;
  EXPECT_EQ(AdmitUntilRefused(Context(pro), &refused), 5);
  Identity unknown_tier = Who("a-unknown");
  unknown_tier.tier = "platinum";  // not configured: the default tier
  EXPECT_EQ(AdmitUntilRefused(Context(unknown_tier), &refused), 1);
  Identity none = Who("a-none");
  EXPECT_EQ(AdmitUntilRefused(Context(none), &refused), 1);
}

TEST_F(PolicyTest, UnverifiedAccountsGetTighterLimits) {
  TierLimits() = {.requests_per_minute = 50};
  config_.unverified_limits = {.requests_per_minute = 2, .requests_per_day = 100};
  for (ingest::Verification level : {ingest::Verification::kUnknown, ingest::Verification::kNone,
                                     ingest::Verification::kEmail, ingest::Verification::kPhone}) {
    Identity who = Who("unverified-" + std::string(ingest::VerificationName(level)));
    who.verified = level;
    Decision refused;
    EXPECT_EQ(AdmitUntilRefused(Context(who), &refused), 2) << ingest::VerificationName(level);
    ExpectRateLimited(refused, "account:rpm");
  }
  for (ingest::Verification level :
       {ingest::Verification::kPayment, ingest::Verification::kId, ingest::Verification::kEnterprise}) {
    Identity who = Who("verified-" + std::string(ingest::VerificationName(level)));
    who.verified = level;
    Decision refused;
    EXPECT_EQ(AdmitUntilRefused(Context(who), &refused), 50) << ingest::VerificationName(level);
  }
  // The level that counts as verified is configurable.
  config_.verified_level = ingest::Verification::kEmail;
  Identity email = Who("email");
  email.verified = ingest::Verification::kEmail;
  Decision refused;
  EXPECT_EQ(AdmitUntilRefused(Context(email), &refused), 50);
}

TEST_F(PolicyTest, NewAccountsGetTighterLimits) {
  TierLimits() = {.requests_per_minute = 50};
  config_.new_account_ms = 7 * kDayMs;
  config_.new_account_limits = {.requests_per_day = 3};
  Identity young = Who("young");
  young.created_ms = kNow - kDayMs;
  Decision refused;
  EXPECT_EQ(AdmitUntilRefused(Context(young), &refused), 3);
  ExpectRateLimited(refused, "account:rpd");

  Identity old = Who("old");
  old.created_ms = kNow - 8 * kDayMs;
  EXPECT_EQ(AdmitUntilRefused(Context(old), &refused), 50);
  Identity unknown = Who("unknown-age");  // created_ms 0: not known to be new
  EXPECT_EQ(AdmitUntilRefused(Context(unknown), &refused), 50);
}

TEST_F(PolicyTest, VerificationRequiredForModels) {
  config_.tiers["free"].verify_models = {"claude-opus*", "gpt-5"};
  TierLimits().requests_per_minute = 100;
  Identity unverified = Who("u");
  unverified.verified = ingest::Verification::kEmail;
  RequestContext context = Context(unverified);
  for (std::string model : {"claude-opus-4-1", "claude-opus", "gpt-5"}) {
    context.request.model = model;
    Decision decision = Admit(context);
    EXPECT_FALSE(decision.allowed) << model;
    EXPECT_EQ(decision.status, 403);
    EXPECT_EQ(decision.error, ErrorKind::kPermission);
    EXPECT_EQ(decision.code, "verification_required");
    EXPECT_EQ(decision.reason, "verification_required");
    EXPECT_THAT(decision.message, HasSubstr("requires a verified account (payment or higher)"));
  }
  // Nothing was charged for the refusals.
  EXPECT_EQ(Remaining("account:u", "rpm", 100, 60'000), 100);
  for (std::string model : {"claude-sonnet-4-5", "gpt-5-mini", "claude-opu"}) {
    context.request.model = model;
    EXPECT_TRUE(Admit(context).allowed) << model;
  }
  Identity verified = Who("v");
  RequestContext verified_context = Context(verified);
  verified_context.request.model = "claude-opus-4-1";
  EXPECT_TRUE(Admit(verified_context).allowed);
}

TEST_F(PolicyTest, WithoutABodyAGatedTierNeedsVerification) {
  // nginx auth_request sends no body: the model cannot be checked, so the
  // gate stays shut for unverified accounts of a tier that has one.
  TierLimits().requests_per_minute = 100;
  Identity unverified = Who("u");
  unverified.verified = ingest::Verification::kEmail;
  RequestContext context = Context(unverified);
  context.has_body = false;
  EXPECT_TRUE(Admit(context).allowed);  // no gated model in the tier: nothing to check
  config_.tiers["free"].verify_models = {"claude-opus*"};
  Decision decision = Admit(context);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.status, 403);
  EXPECT_EQ(decision.code, "verification_required");
  EXPECT_THAT(decision.message, HasSubstr("cannot be seen here"));
  Identity verified_account = Who("v");
  RequestContext verified = Context(verified_account);
  verified.has_body = false;
  EXPECT_TRUE(Admit(verified).allowed);
}

TEST_F(PolicyTest, VerificationRequiredAboveRequestsPerDay) {
  config_.tiers["free"].verify_above_requests_per_day = 3;
  TierLimits().requests_per_minute = 100;
  Identity unverified = Who("u");
  unverified.verified = ingest::Verification::kNone;
  Decision refused;
  EXPECT_EQ(AdmitUntilRefused(Context(unverified), &refused), 3);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(refused.error, ErrorKind::kPermission);
  EXPECT_EQ(refused.code, "verification_required");
  EXPECT_EQ(refused.reason, "verification_required");
  EXPECT_EQ(refused.limiter, "account:vrd");
  EXPECT_THAT(refused.message, HasSubstr("More than 3 requests a day requires a verified account"));
  // The other limiters were not charged by the refusal.
  EXPECT_EQ(Remaining("account:u", "rpm", 100, 60'000), 97);

  Identity verified = Who("v");
  EXPECT_EQ(AdmitUntilRefused(Context(verified), &refused), 100);
  ExpectRateLimited(refused, "account:rpm");
}

TEST_F(PolicyTest, BlockAndChallengeVerdictsRefuse) {
  TierLimits().requests_per_minute = 10;
  VerdictSet verdicts;
  ASSERT_TRUE(verdicts.Set("account", "blocked", {.action = Action::kBlock, .campaign = "c1"}).ok());
  ASSERT_TRUE(verdicts.Set("account", "challenged", {.action = Action::kChallenge}).ok());

  Identity blocked = Who("blocked");
  Decision block = Admit(Context(blocked), verdicts);
  EXPECT_FALSE(block.allowed);
  EXPECT_EQ(block.status, 403);
  EXPECT_EQ(block.error, ErrorKind::kPermission);
  EXPECT_EQ(block.code, "blocked");
  EXPECT_EQ(block.reason, "verdict");
  EXPECT_EQ(block.action, Action::kBlock);
  EXPECT_EQ(block.verdict_source, "account");
  EXPECT_EQ(block.campaign, "c1");
  EXPECT_EQ(Remaining("account:blocked", "rpm", 10, 60'000), 10);  // no limiter touched

  Identity challenged = Who("challenged");
  Decision challenge = Admit(Context(challenged), verdicts);
  EXPECT_FALSE(challenge.allowed);
  EXPECT_EQ(challenge.status, 403);
  EXPECT_EQ(challenge.code, "verification_required");
  EXPECT_EQ(challenge.reason, "verdict");
  EXPECT_EQ(challenge.action, Action::kChallenge);

  // Infrastructure verdicts refuse any account there.
  ASSERT_TRUE(verdicts.Set("ip_prefix", "198.51.100.0/24", {.action = Action::kBlock}).ok());
  Identity clean = Who("clean");
  Decision by_ip = Admit(Context(clean, "198.51.100.77"), verdicts);
  EXPECT_FALSE(by_ip.allowed);
  EXPECT_EQ(by_ip.code, "blocked");
  EXPECT_EQ(by_ip.verdict_source, "infrastructure");
  EXPECT_TRUE(Admit(Context(clean, "198.51.101.77"), verdicts).allowed);
}

TEST_F(PolicyTest, ThrottleVerdictTightensLimits) {
  TierLimits().requests_per_minute = 50;
  config_.throttle_limits = {.requests_per_minute = 2};
  VerdictSet verdicts;
  ASSERT_TRUE(verdicts.Set("account", "slow", {.action = Action::kThrottle}).ok());
  Identity slow = Who("slow");
  Decision first = Admit(Context(slow), verdicts);
  ASSERT_TRUE(first.allowed);
  EXPECT_EQ(first.action, Action::kThrottle);
  EXPECT_TRUE(first.suspect);
  EXPECT_TRUE(first.strip_thinking);
  EXPECT_EQ(first.verdict_source, "account");
  ASSERT_TRUE(Admit(Context(slow), verdicts).allowed);
  ExpectRateLimited(Admit(Context(slow), verdicts), "account:rpm");

  config_.strip_thinking_throttle = false;
  Identity slow2 = Who("slow2");
  ASSERT_TRUE(verdicts.Set("account", "slow2", {.action = Action::kThrottle}).ok());
  Decision no_strip = Admit(Context(slow2), verdicts);
  EXPECT_TRUE(no_strip.allowed);
  EXPECT_TRUE(no_strip.suspect);
  EXPECT_FALSE(no_strip.strip_thinking);
}

TEST_F(PolicyTest, MonitorVerdictMarksSuspect) {
  TierLimits().requests_per_minute = 50;
  VerdictSet verdicts;
  ASSERT_TRUE(verdicts.Set("account", "watched", {.action = Action::kMonitor, .campaign = "c4"}).ok());
  Identity watched = Who("watched");
  Decision decision = Admit(Context(watched), verdicts);
  EXPECT_TRUE(decision.allowed);
  EXPECT_EQ(decision.action, Action::kMonitor);
  EXPECT_TRUE(decision.suspect);
  EXPECT_TRUE(decision.strip_thinking);
  EXPECT_EQ(decision.campaign, "c4");
  Decision refused;
  EXPECT_EQ(AdmitUntilRefused(Context(watched), &refused, 1000, verdicts), 49);  // limits untouched

  // graded.strip_thinking: [] → suspect, but nothing stripped.
  config_.strip_thinking_monitor = false;
  config_.strip_thinking_throttle = false;
  Identity watched2 = Who("watched2");
  ASSERT_TRUE(verdicts.Set("account", "watched2", {.action = Action::kMonitor}).ok());
  Decision no_strip = Admit(Context(watched2), verdicts);
  EXPECT_TRUE(no_strip.suspect);
  EXPECT_FALSE(no_strip.strip_thinking);

  // No verdict: neither.
  Identity clean = Who("clean");
  Decision plain = Admit(Context(clean), verdicts);
  EXPECT_FALSE(plain.suspect);
  EXPECT_FALSE(plain.strip_thinking);
  EXPECT_EQ(plain.verdict_source, "none");
}

struct SharedCase {
  std::string name;
  Dimension dimension;
  std::string limiter;
};

class PolicySharedTest : public PolicyTest, public ::testing::WithParamInterface<SharedCase> {};

// Accounts sharing a value share its limit; an account without it does not.
TEST_P(PolicySharedTest, SharedAcrossAccounts) {
  const SharedCase& c = GetParam();
  TierLimits().requests_per_minute = 100;
  config_.shared.push_back({.dimension = c.dimension, .limits = {.requests_per_minute = 3}});
  auto make = [&](std::string account, bool same) {
    Identity who = Who(std::move(account), same ? "fp_shared" : "fp_other");
    who.org = same ? "o1" : "o2";
    who.campaign = same ? "c1" : "";
    return who;
  };
  Identity a1 = make("a1", true), a2 = make("a2", true), a3 = make("a3", true), other = make("other", false);
  auto context = [&](const Identity& who, bool same) {
    RequestContext ctx = Context(who, same ? "203.0.113.7" : "198.51.100.7");
    ctx.asn = same ? 64500 : 64501;
    if (c.dimension == Dimension::kIpPrefix && &who == &a2) ctx.ip = ingest::IpAddress::Parse("203.0.113.250").value();
    return ctx;
  };
  ASSERT_TRUE(Admit(context(a1, true)).allowed);
  ASSERT_TRUE(Admit(context(a2, true)).allowed);
  ASSERT_TRUE(Admit(context(a3, true)).allowed);
  Decision refused = Admit(context(a1, true));
  ExpectRateLimited(refused, c.limiter);
  EXPECT_THAT(refused.message, HasSubstr("shared by every account with the same " + c.name));
  EXPECT_FALSE(Admit(context(a2, true)).allowed);
  EXPECT_TRUE(Admit(context(other, false)).allowed);
  // The refusals were rolled back from each account's own limiter.
  EXPECT_EQ(Remaining("account:a1", "rpm", 100, 60'000), 99);
  EXPECT_EQ(Remaining("account:a2", "rpm", 100, 60'000), 99);
}

INSTANTIATE_TEST_SUITE_P(Dimensions, PolicySharedTest,
                         ::testing::Values(SharedCase{"payment", Dimension::kPayment, "payment:rpm"},
                                           SharedCase{"ip_prefix", Dimension::kIpPrefix, "ip_prefix:rpm"},
                                           SharedCase{"asn", Dimension::kAsn, "asn:rpm"},
                                           SharedCase{"org", Dimension::kOrg, "org:rpm"},
                                           SharedCase{"campaign", Dimension::kCampaign, "campaign:rpm"}),
                         [](const ::testing::TestParamInfo<SharedCase>& info) { return info.param.name; });

TEST_F(PolicyTest, SharedGroupTags) {
  TierLimits().requests_per_minute = 100;
  for (Dimension dimension :
       {Dimension::kOrg, Dimension::kPayment, Dimension::kIpPrefix, Dimension::kAsn, Dimension::kCampaign}) {
    config_.shared.push_back({.dimension = dimension, .limits = {.requests_per_day = 1000}});
  }
  RecordingLimiter recording;
  Driven policy(config_, &recording);
  Identity who = Who("a1", "fp_1");
  who.org = "o1";
  who.campaign = "c1";
  RequestContext context = Context(who, "2001:db8:1:2::3");
  context.asn = 64500;
  ASSERT_TRUE(policy.Admit(context, VerdictSet()).allowed);
  std::vector<std::string> tags;
  for (const CellGroup& group : recording.acquired) tags.push_back(group.tag);
  EXPECT_THAT(tags, ::testing::ElementsAre("account:a1", "org:o1", "payment:fp_1", "ip_prefix:2001:db8:1::/48",
                                           "asn:64500", "campaign:c1"));
  // Missing values make no group.
  Identity bare = Who("a2");
  RequestContext bare_context = Context(bare);
  ASSERT_TRUE(policy.Admit(bare_context, VerdictSet()).allowed);
  tags.clear();
  for (const CellGroup& group : recording.acquired) tags.push_back(group.tag);
  EXPECT_THAT(tags, ::testing::ElementsAre("account:a2", "ip_prefix:203.0.113.0/24"));
}

TEST_F(PolicyTest, IpPrefixIsSlash24AndSlash48) {
  TierLimits().requests_per_minute = 100;
  config_.shared.push_back({.dimension = Dimension::kIpPrefix, .limits = {.requests_per_minute = 2}});
  Identity a1 = Who("a1"), a2 = Who("a2"), a3 = Who("a3");
  // IPv4 /24.
  ASSERT_TRUE(Admit(Context(a1, "203.0.113.1")).allowed);
  ASSERT_TRUE(Admit(Context(a2, "203.0.113.254")).allowed);
  ExpectRateLimited(Admit(Context(a3, "203.0.113.100")), "ip_prefix:rpm");
  EXPECT_TRUE(Admit(Context(a3, "203.0.112.100")).allowed);
  // IPv6 /48.
  ASSERT_TRUE(Admit(Context(a1, "2001:db8:1:1::1")).allowed);
  ASSERT_TRUE(Admit(Context(a2, "2001:db8:1:ffff::2")).allowed);
  ExpectRateLimited(Admit(Context(a3, "2001:db8:1::9")), "ip_prefix:rpm");
  EXPECT_TRUE(Admit(Context(a3, "2001:db8:2::1")).allowed);
}

TEST_F(PolicyTest, CampaignFromTheVerdict) {
  TierLimits().requests_per_minute = 100;
  config_.shared.push_back({.dimension = Dimension::kCampaign, .limits = {.requests_per_minute = 2}});
  VerdictSet verdicts;
  ASSERT_TRUE(verdicts.Set("account", "m1", {.action = Action::kMonitor, .campaign = "c9"}).ok());
  ASSERT_TRUE(verdicts.Set("account", "m2", {.action = Action::kMonitor, .campaign = "c9"}).ok());
  Identity m1 = Who("m1"), m2 = Who("m2"), keyed = Who("keyed");
  keyed.campaign = "c9";  // from the key table
  ASSERT_TRUE(Admit(Context(m1), verdicts).allowed);
  ASSERT_TRUE(Admit(Context(m2), verdicts).allowed);
  Decision refused = Admit(Context(keyed), verdicts);
  ExpectRateLimited(refused, "campaign:rpm");
  EXPECT_EQ(refused.campaign, "c9");
}

TEST_F(PolicyTest, SharedTierLimits) {
  TierLimits() = {.requests_per_minute = 3};
  config_.shared.push_back({.dimension = Dimension::kPayment, .tier_limits = true});
  Identity a1 = Who("a1", "fp"), a2 = Who("a2", "fp");
  ASSERT_TRUE(Admit(Context(a1)).allowed);
  ASSERT_TRUE(Admit(Context(a1)).allowed);
  ASSERT_TRUE(Admit(Context(a2)).allowed);
  ExpectRateLimited(Admit(Context(a2)), "payment:rpm");
  // tier_limits are the tier's own, not tightened for this account.
  config_.unverified_limits = {.requests_per_minute = 1};
  Identity u1 = Who("u1", "fp2"), u2 = Who("u2", "fp2"), u3 = Who("u3", "fp2");
  for (Identity* who : {&u1, &u2, &u3}) who->verified = ingest::Verification::kNone;
  ASSERT_TRUE(Admit(Context(u1)).allowed);
  ASSERT_TRUE(Admit(Context(u2)).allowed);
  ExpectRateLimited(Admit(Context(u1)), "account:rpm");  // u1's own limit of 1
  ASSERT_TRUE(Admit(Context(u3)).allowed);
  ExpectRateLimited(Admit(Context(Who("u4", "fp2"))), "payment:rpm");
}

// A refused shared group gives back what the account group took.
TEST_F(PolicyTest, RefusedSharedGroupRollsBackTheAccount) {
  TierLimits() = {.requests_per_minute = 5, .input_tokens_per_minute = 10'000, .output_tokens_per_minute = 10'000};
  config_.shared.push_back({.dimension = Dimension::kPayment, .limits = {.requests_per_minute = 1}});
  RecordingLimiter recording;
  Driven policy(config_, &recording);
  Identity a1 = Who("a1", "fp"), a2 = Who("a2", "fp");
  ASSERT_TRUE(policy.Admit(Context(a1), VerdictSet()).allowed);
  Decision refused = policy.Admit(Context(a2), VerdictSet());
  ExpectRateLimited(refused, "payment:rpm");
  // The rollback gave back exactly the account group's costs.
  ASSERT_EQ(recording.adjusted.size(), 1u);
  EXPECT_EQ(recording.adjusted[0].tag, "account:a2");
  ASSERT_NE(FindCell(recording.adjusted, "account:a2", "rpm"), nullptr);
  EXPECT_EQ(FindCell(recording.adjusted, "account:a2", "rpm")->cost, -1);
  EXPECT_EQ(FindCell(recording.adjusted, "account:a2", "itpm")->cost, -100);
  EXPECT_EQ(FindCell(recording.adjusted, "account:a2", "otpm")->cost, -100);
  // a2's own limiters are as if it never asked.
  CellGroup peek{
      .tag = "account:a2",
      .cells = {{"rpm", Rate{5, 60'000}, 0}, {"itpm", Rate{10'000, 60'000}, 0}, {"otpm", Rate{10'000, 60'000}, 0}}};
  absl::StatusOr<std::vector<GroupOutcome>> outcome = recording.memory.AcquireNow({&peek, 1}, kNow);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->front().cells[0].remaining, 5);
  EXPECT_EQ(outcome->front().cells[1].remaining, 10'000);
  EXPECT_EQ(outcome->front().cells[2].remaining, 10'000);
}

TEST_F(PolicyTest, OutputReservationIsCappedAtEachLimit) {
  TierLimits() = {.input_tokens_per_minute = 50'000, .output_tokens_per_minute = 1'000, .output_tokens_per_day = 2'500};
  RecordingLimiter recording;
  Driven policy(config_, &recording);
  Identity who = Who("a1");
  RequestContext context = Context(who);
  context.request.max_tokens = 2'000;
  Decision decision = policy.Admit(context, VerdictSet());
  ASSERT_TRUE(decision.allowed);
  EXPECT_EQ(decision.estimated_input_tokens, 100);
  EXPECT_EQ(decision.estimated_output_tokens, 2'000);
  EXPECT_EQ(FindCell(recording.acquired, "account:a1", "otpm")->cost, 1'000);  // min(max_tokens, limit)
  EXPECT_EQ(FindCell(recording.acquired, "account:a1", "otpd")->cost, 2'000);
  EXPECT_EQ(FindCell(recording.acquired, "account:a1", "itpm")->cost, 100);
  // The reservations: the token cells, not the request cells.
  ASSERT_EQ(decision.reservations.size(), 1u);
  EXPECT_EQ(decision.reservations[0].tag, "account:a1");
  EXPECT_EQ(decision.reservations[0].cells.size(), 3u);
  EXPECT_EQ(FindCell(decision.reservations, "account:a1", "otpm")->cost, 1'000);
  EXPECT_EQ(FindCell(decision.reservations, "account:a1", "rpm"), nullptr);
}

TEST_F(PolicyTest, InputEstimate) {
  config_.chars_per_token = 3;
  TierLimits().input_tokens_per_day = 1'000'000;
  Identity who = Who("a1");
  RequestContext context = Context(who);
  context.request.input_chars = 10;
  EXPECT_EQ(Admit(context).estimated_input_tokens, 4);  // ceil(10 / 3)
  context.request.input_chars = 0;
  EXPECT_EQ(Admit(context).estimated_input_tokens, 1);  // at least 1
  // Without the body (an auth check), from the content length.
  context.has_body = false;
  context.content_length = 3'000;
  EXPECT_EQ(Admit(context).estimated_input_tokens, 1'000);
}

TEST_F(PolicyTest, SettleWithLessUsageFreesRoom) {
  TierLimits() = {.output_tokens_per_minute = 1'000};
  Driven policy(config_, &limiter_);
  Identity who = Who("a1");
  RequestContext context = Context(who);
  context.request.max_tokens = 600;
  Decision first = policy.Admit(context, VerdictSet());
  ASSERT_TRUE(first.allowed);
  ExpectRateLimited(policy.Admit(context, VerdictSet()), "account:otpm");  // 600 + 600 > 1000
  ASSERT_TRUE(policy.Settle(first, 100, 50, kNow).ok());                   // only 50 were written
  Decision second = policy.Admit(context, VerdictSet());
  EXPECT_TRUE(second.allowed);
  EXPECT_EQ(Remaining("account:a1", "otpm", 1'000, 60'000), 350);
}

TEST_F(PolicyTest, SettleWithMoreUsageChargesMore) {
  TierLimits() = {.input_tokens_per_minute = 1'000, .output_tokens_per_minute = 1'000};
  Driven policy(config_, &limiter_);
  Identity who = Who("a1");
  RequestContext context = Context(who);
  Decision first = policy.Admit(context, VerdictSet());
  ASSERT_TRUE(first.allowed);
  EXPECT_EQ(Remaining("account:a1", "otpm", 1'000, 60'000), 900);
  ASSERT_TRUE(policy.Settle(first, 700, 850, kNow).ok());  // the estimate was low
  EXPECT_EQ(Remaining("account:a1", "itpm", 1'000, 60'000), 300);
  EXPECT_EQ(Remaining("account:a1", "otpm", 1'000, 60'000), 150);
  context.request.max_tokens = 200;
  ExpectRateLimited(policy.Admit(context, VerdictSet()), "account:otpm");
  context.request.max_tokens = 150;
  EXPECT_TRUE(policy.Admit(context, VerdictSet()).allowed);
}

TEST_F(PolicyTest, SettleSkipsUnknownUsageAndRefusals) {
  TierLimits() = {.requests_per_minute = 1, .output_tokens_per_minute = 1'000};
  RecordingLimiter recording;
  Driven policy(config_, &recording);
  Identity who = Who("a1");
  Decision first = policy.Admit(Context(who), VerdictSet());
  ASSERT_TRUE(first.allowed);
  ASSERT_TRUE(policy.Settle(first, -1, -1, kNow).ok());  // usage unknown: keep the estimate
  ASSERT_TRUE(policy.Settle(first, 5, 100, kNow).ok());  // output equals the estimate: nothing to do
  EXPECT_TRUE(recording.adjusted.empty());
  Decision refused = policy.Admit(Context(who), VerdictSet());
  ASSERT_FALSE(refused.allowed);
  ASSERT_TRUE(policy.Settle(refused, 10, 10, kNow).ok());
  EXPECT_TRUE(recording.adjusted.empty());
}

TEST_F(PolicyTest, SharedReservationsAreSettledToo) {
  TierLimits() = {.output_tokens_per_minute = 10'000};
  config_.shared.push_back({.dimension = Dimension::kPayment, .limits = {.output_tokens_per_minute = 1'000}});
  Driven policy(config_, &limiter_);
  Identity a1 = Who("a1", "fp"), a2 = Who("a2", "fp");
  RequestContext context = Context(a1);
  context.request.max_tokens = 800;
  Decision first = policy.Admit(context, VerdictSet());
  ASSERT_TRUE(first.allowed);
  EXPECT_EQ(first.reservations.size(), 2u);
  RequestContext other = Context(a2);
  other.request.max_tokens = 800;
  ExpectRateLimited(policy.Admit(other, VerdictSet()), "payment:otpm");
  ASSERT_TRUE(policy.Settle(first, 100, 10, kNow).ok());
  EXPECT_TRUE(policy.Admit(other, VerdictSet()).allowed);
}

TEST_F(PolicyTest, StoreFailureFailOpen) {
  TierLimits().requests_per_minute = 1;
  config_.redis.failure = FailureMode::kOpen;
  FailingLimiter failing;
  Driven policy(config_, &failing);
  Identity who = Who("a1");
  for (int i = 0; i < 3; ++i) {
    Decision decision = policy.Admit(Context(who), VerdictSet());
    EXPECT_TRUE(decision.allowed);
    EXPECT_TRUE(decision.degraded);
    EXPECT_EQ(decision.reason, "ok");
    EXPECT_TRUE(decision.reservations.empty());
    EXPECT_TRUE(policy.Settle(decision, 10, 10, kNow).ok());
  }
  EXPECT_EQ(failing.acquires, 3);
  EXPECT_EQ(failing.adjusts, 0);
}

TEST_F(PolicyTest, StoreFailureFailClosed) {
  TierLimits().requests_per_minute = 1;
  config_.redis.failure = FailureMode::kClosed;
  FailingLimiter failing;
  Driven policy(config_, &failing);
  Identity who = Who("a1");
  Decision decision = policy.Admit(Context(who), VerdictSet());
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.status, 503);
  EXPECT_EQ(decision.error, ErrorKind::kOverloaded);
  EXPECT_EQ(decision.code, "state_unavailable");
  EXPECT_EQ(decision.reason, "state_unavailable");
  EXPECT_FALSE(decision.degraded);
  // Verdicts still apply without the store.
  VerdictSet verdicts;
  ASSERT_TRUE(verdicts.Set("account", "a1", {.action = Action::kBlock}).ok());
  EXPECT_EQ(policy.Admit(Context(who), verdicts).status, 403);
}

TEST_F(PolicyTest, FactsDescribeTheRequest) {
  Driven policy(config_, &limiter_);
  Identity who = Who("a1", "fp_9");
  who.email_domain = "example.com";
  who.campaign = "c3";
  RequestContext context = Context(who, "203.0.113.7");
  context.asn = 64500;
  context.tls = "t13d1516h2";
  context.ua = "python-httpx/0.27";
  context.request.system = "You are a helpful assistant.";
  context.request.prompt = "Explain how a B-tree keeps itself balanced when keys are inserted and deleted.";
  RequestFacts facts = policy.Facts(context);
  EXPECT_EQ(facts.account, "a1");
  EXPECT_EQ(facts.campaign, "c3");
  auto values_of = [&](std::string_view kind) {
    std::vector<std::string> values;
    for (const auto& [k, v] : facts.values)
      if (k == kind) values.push_back(v);
    return values;
  };
  EXPECT_THAT(values_of("payment"), ::testing::ElementsAre("fp_9"));
  EXPECT_THAT(values_of("email_domain"), ::testing::ElementsAre("example.com"));
  EXPECT_THAT(values_of("client_stack"), ::testing::ElementsAre("tls=t13d1516h2 ua=python-httpx/0.27"));
  EXPECT_THAT(values_of("ip"), ::testing::ElementsAre("203.0.113.7"));
  EXPECT_THAT(values_of("ip_prefix"), ::testing::ElementsAre("203.0.113.0/24"));
  EXPECT_THAT(values_of("asn"), ::testing::ElementsAre("AS64500"));
  ASSERT_EQ(values_of("system_prompt").size(), 1u);
  EXPECT_THAT(values_of("system_prompt")[0], ::testing::StartsWith("system:"));
  std::vector<std::string> templates = values_of("prompt_template");
  EXPECT_FALSE(templates.empty());
  for (const std::string& value : templates) EXPECT_THAT(value, ::testing::MatchesRegex("template:[0-9a-f]{16}"));
  // Normalized like the engine: case, digits and spacing do not matter.
  RequestContext same = context;
  same.request.system = "  you are a HELPFUL   assistant. ";
  EXPECT_EQ(values_of("system_prompt"), [&] {
    std::vector<std::string> values;
    for (const auto& [k, v] : policy.Facts(same).values)
      if (k == "system_prompt") values.push_back(v);
    return values;
  }());

  // Unknown parts are left out; a missing half of the client stack is "-".
  Identity bare = Who("a2");
  RequestContext minimal = Context(bare, "2001:db8::1");
  minimal.request.prompt = "";
  minimal.ua = "curl/8.0";
  RequestFacts few = policy.Facts(minimal);
  std::vector<std::string> kinds;
  for (const auto& [k, v] : few.values) kinds.emplace_back(k);
  EXPECT_THAT(kinds, ::testing::ElementsAre("client_stack", "ip", "ip_prefix"));
  EXPECT_EQ(few.values[0].second, "tls=- ua=curl/8.0");
  EXPECT_EQ(few.values[2].second, "2001:db8::/48");
}

std::string TemplatedPrompt(std::string_view slot) {
  return "Please write a detailed technical tutorial that explains how to implement " + std::string(slot) +
         " in a production grade distributed system, including complete code examples, performance "
         "considerations, common pitfalls to avoid, testing strategies, deployment advice for cloud "
         "environments, and a short summary of the key ideas for experienced backend engineers who want "
         "practical guidance they can apply at work this week.";
}

// campaigns.json lists a campaign's prompt templates as Facts describes
// them: a request from the same template with another slot value matches,
// an unrelated prompt does not.
TEST_F(PolicyTest, PromptTemplateIndicators) {
  TierLimits().requests_per_minute = 100;
  Driven policy(config_, &limiter_);
  Identity seen = Who("seen");
  RequestContext original = Context(seen);
  original.request.prompt = TemplatedPrompt("sharding");
  VerdictSet campaigns;
  int templates = 0;
  for (const auto& [kind, value] : policy.Facts(original).values) {
    if (kind != "prompt_template") continue;
    ASSERT_TRUE(campaigns.Set(kind, value, {.campaign = "c7", .reason = "indicator of c7"}).ok());
    ++templates;
  }
  ASSERT_GE(templates, 4);

  Identity fresh = Who("fresh");
  RequestContext variant = Context(fresh, "198.51.100.3");
  variant.request.prompt = TemplatedPrompt("caching");
  Decision matched = policy.Admit(variant, campaigns);
  EXPECT_TRUE(matched.allowed);  // one indicator kind: weak_indicator_action (monitor)
  EXPECT_EQ(matched.action, Action::kMonitor);
  EXPECT_EQ(matched.verdict_source, "template");
  EXPECT_EQ(matched.campaign, "c7");
  EXPECT_TRUE(matched.suspect);

  RequestContext unrelated = Context(fresh, "198.51.100.3");
  unrelated.request.prompt =
      "My grandmother's apple pie recipe calls for cinnamon, nutmeg and a buttery lattice crust; how long "
      "should I bake it at 190 degrees, and can I prepare the dough the evening before a family dinner?";
  Decision clean = policy.Admit(unrelated, campaigns);
  EXPECT_TRUE(clean.allowed);
  EXPECT_EQ(clean.action, Action::kAllow);
  EXPECT_EQ(clean.verdict_source, "none");
  EXPECT_FALSE(clean.suspect);

  // With a second indicator kind (the payment fingerprint) it is challenged.
  ASSERT_TRUE(campaigns.Set("payment", "fp_c7", {.campaign = "c7"}).ok());
  Identity paying = Who("paying", "fp_c7");
  RequestContext both = Context(paying, "198.51.100.3");
  both.request.prompt = TemplatedPrompt("caching");
  Decision challenged = policy.Admit(both, campaigns);
  EXPECT_FALSE(challenged.allowed);
  EXPECT_EQ(challenged.status, 403);
  EXPECT_EQ(challenged.code, "verification_required");
  EXPECT_EQ(challenged.verdict_source, "indicator");
}

TEST_F(PolicyTest, ConcurrentAdmitsAdmitExactlyTheLimit) {
  TierLimits() = {.requests_per_minute = 500};
  config_.shared.push_back({.dimension = Dimension::kPayment, .limits = {.requests_per_minute = 300}});
  Driven policy(config_, &limiter_);
  std::vector<Identity> identities;
  for (int t = 0; t < 8; ++t) identities.push_back(Who(fmt::format("a{}", t), "fp"));
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      RequestContext context = Context(identities[t]);
      for (int i = 0; i < 100; ++i) admitted += policy.Admit(context, VerdictSet()).allowed ? 1 : 0;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(admitted.load(), 300);
  // Every account got back what the refused requests took.
  int total = 0;
  for (int t = 0; t < 8; ++t)
    total += 500 - static_cast<int>(Remaining(fmt::format("account:a{}", t), "rpm", 500, 60'000));
  EXPECT_EQ(total, 300);
}

}  // namespace
}  // namespace hydraguard::gateway
