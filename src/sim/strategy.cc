#include "sim/strategy.h"

#include <array>
#include <cmath>

#include "sim/scenario.h"

namespace hydraguard::sim {
namespace {

constexpr std::array<const char*, 4> kCards = {"large_groups", "small_groups", "one_per_account", "none"};
constexpr std::array<const char*, 3> kEmails = {"webmail", "throwaway_domains", "shared_domain"};
constexpr std::array<const char*, 3> kVerifications = {"email", "phone", "mixed"};
constexpr std::array<const char*, 4> kAges = {"signup_bursts", "trickle", "aged", "mix"};
constexpr std::array<const char*, 7> kNetworks = {
    "datacenter", "vpn", "residential_per_request", "static_isp", "shared_proxy_pool", "ipv6_rotating", "mixture"};
constexpr std::array<const char*, 3> kClients = {"one_stack", "honest_mix", "switched"};
constexpr std::array<const char*, 7> kContents = {"template", "paraphrased",        "raw_tasks", "agentic",
                                                  "grading",  "reasoning_coercion", "no_text"};
constexpr std::array<const char*, 5> kTimings = {"lockstep", "job_waves", "uniform", "diurnal", "same_hours_switch_on"};
constexpr std::array<const char*, 3> kVolumes = {"low", "medium", "high"};
constexpr std::array<const char*, 3> kLives = {"hours", "days", "whole_window"};
constexpr std::array<const char*, 3> kCovers = {"none", "light", "heavy"};

template <typename Enum, size_t N>
Enum DrawOf(Rng& rng, const std::array<const char*, N>&) {
  return static_cast<Enum>(rng.Below(N));
}

template <size_t N>
std::vector<std::string> Names(const std::array<const char*, N>& names) {
  return std::vector<std::string>(names.begin(), names.end());
}

double LogUniform(Rng& rng, double low, double high) { return low * std::exp(rng.Uniform() * std::log(high / low)); }

}  // namespace

Strategy DrawStrategy(Rng& rng) {
  Strategy s;
  s.cards = DrawOf<CardStrategy>(rng, kCards);
  s.email = DrawOf<EmailStrategy>(rng, kEmails);
  s.verification = DrawOf<VerificationStrategy>(rng, kVerifications);
  s.age = DrawOf<AgeStrategy>(rng, kAges);
  s.network = DrawOf<NetworkStrategy>(rng, kNetworks);
  s.client = DrawOf<ClientStrategy>(rng, kClients);
  s.content = DrawOf<ContentStrategy>(rng, kContents);
  s.timing = DrawOf<TimingStrategy>(rng, kTimings);
  s.life = DrawOf<LifeStrategy>(rng, kLives);
  s.requests_per_day = LogUniform(rng, 3, 300);
  s.cover_share = rng.Chance(1.0 / 3) ? 0 : rng.Uniform(0.02, 0.6);
  s.accounts = LogUniform(rng, 300, 3000);
  s.accounts_per_card = s.cards == CardStrategy::kSmallGroups ? static_cast<double>(rng.Between(2, 4))
                                                              : static_cast<double>(rng.Between(8, 60));
  s.wave_minutes = rng.Uniform(10, 60);
  s.job_gap_hours = rng.Uniform(0.5, 6);
  s.tools = static_cast<int>(rng.Between(4, 20));
  s.output_tokens_median = rng.Uniform(800, 3000);
  return s;
}

std::vector<std::pair<std::string, std::string>> StrategyAxes(const Strategy& s) {
  const char* volume = s.requests_per_day < 15 ? kVolumes[0] : s.requests_per_day < 60 ? kVolumes[1] : kVolumes[2];
  const char* cover = s.cover_share <= 0 ? kCovers[0] : s.cover_share <= 0.3 ? kCovers[1] : kCovers[2];
  return {{"cards", kCards[static_cast<size_t>(s.cards)]},
          {"email", kEmails[static_cast<size_t>(s.email)]},
          {"verification", kVerifications[static_cast<size_t>(s.verification)]},
          {"age", kAges[static_cast<size_t>(s.age)]},
          {"network", kNetworks[static_cast<size_t>(s.network)]},
          {"client", kClients[static_cast<size_t>(s.client)]},
          {"content", kContents[static_cast<size_t>(s.content)]},
          {"timing", kTimings[static_cast<size_t>(s.timing)]},
          {"volume", volume},
          {"life", kLives[static_cast<size_t>(s.life)]},
          {"cover", cover}};
}

std::vector<std::pair<std::string, std::vector<std::string>>> StrategySpace() {
  return {{"cards", Names(kCards)},      {"email", Names(kEmails)},     {"verification", Names(kVerifications)},
          {"age", Names(kAges)},         {"network", Names(kNetworks)}, {"client", Names(kClients)},
          {"content", Names(kContents)}, {"timing", Names(kTimings)},   {"volume", Names(kVolumes)},
          {"life", Names(kLives)},       {"cover", Names(kCovers)}};
}

void ApplyStrategy(const Strategy& s, GroupSpec* spec) {
  Mechanics& m = spec->mechanics;
  m = Mechanics{};
  m.pivot_share = 0;
  // Identity.
  m.shared_payment = s.cards == CardStrategy::kLargeGroups || s.cards == CardStrategy::kSmallGroups;
  m.accounts_per_payment = s.accounts_per_card;
  m.free_tier = s.cards == CardStrategy::kNone;
  m.email = s.email;
  m.verification = s.verification;
  m.signup_bursts = s.age == AgeStrategy::kSignupBursts || s.age == AgeStrategy::kMix;
  m.trickle = s.age == AgeStrategy::kTrickle;
  m.aged_share = s.age == AgeStrategy::kAged ? 1.0 : s.age == AgeStrategy::kMix ? 0.5 : 0.0;
  // Network and client.
  m.network = s.network;
  m.rotate_per_request = s.network == NetworkStrategy::kResidentialPerRequest;
  m.client = s.client;
  // Content: the capability mix and conversation shape follow what is harvested.
  m.content = s.content;
  spec->tools = s.tools;
  spec->min_turns = 1;
  spec->max_turns = 3;
  spec->output_tokens_median = s.output_tokens_median;
  using C = Capability;
  switch (s.content) {
    case ContentStrategy::kAgentic:
      spec->mix = {{C::kAgentic, 0.7}, {C::kComputerUse, 0.15}, {C::kCode, 0.15}};
      spec->min_turns = 5;
      spec->max_turns = 25;
      break;
    case ContentStrategy::kGrading:
      spec->mix = {{C::kRubric, 1.0}};
      spec->max_turns = 1;
      break;
    case ContentStrategy::kReasoningCoercion:
      spec->mix = {{C::kReasoning, 0.5}, {C::kCode, 0.3}, {C::kDataAnalysis, 0.2}};
      spec->max_turns = 2;
      break;
    default:
      spec->mix = {{C::kCode, 0.4}, {C::kAgentic, 0.2}, {C::kReasoning, 0.2}, {C::kDataAnalysis, 0.1}, {C::kChat, 0.1}};
      spec->max_turns = 12;  // tool-use sessions run long; the rest stay at 1-3 turns
  }
  // Timing.
  m.synchronized = s.timing == TimingStrategy::kLockstep;
  m.wave_minutes = s.wave_minutes;
  m.job_waves = s.timing == TimingStrategy::kJobWaves;
  m.job_gap_hours = s.job_gap_hours;
  // Switched on together, the fleet then runs flat out (no daily rhythm delays its first requests).
  m.spread_volume = s.timing != TimingStrategy::kUniform && s.timing != TimingStrategy::kSameHoursSwitchOn;
  m.switch_on = s.timing == TimingStrategy::kSameHoursSwitchOn;
  // Volume and life.
  spec->accounts = s.accounts;
  spec->exchanges = 0;
  spec->requests_per_day = s.requests_per_day;
  spec->rate_sigma = 0.35;
  m.churn = s.life != LifeStrategy::kWholeWindow;
  m.lifetime_min_days = s.life == LifeStrategy::kHours ? 2.0 / 24 : 2;
  m.lifetime_max_days = s.life == LifeStrategy::kHours ? 1 : 14;
  m.cover_share = s.cover_share;
  spec->strategy = StrategyAxes(s);
}

}  // namespace hydraguard::sim
