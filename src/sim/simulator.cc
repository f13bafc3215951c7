#include "sim/simulator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <queue>

#include "absl/container/flat_hash_set.h"
#include "fmt/format.h"
#include "ingest/timestamp.h"
#include "io/json_writer.h"
#include "sim/network.h"
#include "sim/prompts.h"
#include "sim/random.h"
#include "sim/redteam_text.h"

namespace hydraguard::sim {
namespace {

constexpr int64_t kSecondMs = 1000;
constexpr int64_t kHourMs = 3600 * kSecondMs;
constexpr int64_t kDayMs = 24 * kHourMs;

// --- Clients: user agent, TLS fingerprint (JA4), endpoint, share of streams.
struct Client {
  const char* ua;
  const char* tls;
  const char* endpoint;
  double stream_share;
  int weight;
};
constexpr std::array<Client, 9> kClients = {{
    {"anthropic-python/0.52.0", "t13d1715h2_5b57614c22b0_3d5424432f57", "/v1/messages", 0.6, 30},
    {"anthropic-typescript/0.40.1", "t13d1516h2_8daaf6152771_e5627efa2ab1", "/v1/messages", 0.7, 15},
    {"openai-python/1.82.0", "t13d1715h2_5b57614c22b0_3d5424432f57", "/v1/chat/completions", 0.5, 20},
    {"OpenAI/NodeJS/4.98.0", "t13d1516h2_8daaf6152771_e5627efa2ab1", "/v1/chat/completions", 0.6, 10},
    {"Go-http-client/2.0", "t13d1311h2_f57a46bbacb6_ab7e3b40a677", "/v1/messages", 0.2, 6},
    {"curl/8.5.0", "t13d3112h2_e8f1e7e78f70_b26ce05bbdd6", "/v1/messages", 0.1, 4},
    {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
     "t13d1516h2_8daaf6152771_02713d6af862", "/v1/messages", 0.9, 5},
    {"python-requests/2.32.3", "t13d1812h2_e8a523a41297_7e3a9b6c6d14", "/v1/chat/completions", 0.0, 10},
    {"Python/3.11 aiohttp/3.9.5", "t13d1811h2_1f1a39cc7b9e_c0ba7e3b6f3a", "/v1/messages", 0.3, 3},
}};
constexpr size_t kPythonSdk = 0, kGoClient = 4, kCurl = 5, kPythonRequests = 7, kAiohttp = 8;
// The same stacks one release later (sdk_upgrade: the user agent changes, the TLS stack does not).
constexpr std::array<const char*, 9> kUpgradedUas = {
    "anthropic-python/0.53.0",
    "anthropic-typescript/0.41.0",
    "openai-python/1.83.0",
    "OpenAI/NodeJS/4.99.0",
    "Go-http-client/2.0",
    "curl/8.6.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/132.0 Safari/537.36",
    "python-requests/2.32.4",
    "Python/3.12 aiohttp/3.10.1"};
constexpr Client kAgentFrameworkClient = {"langchain-anthropic/0.3.12 anthropic-python/0.52.0",
                                          "t13d1715h2_5b57614c22b0_3d5424432f57", "/v1/messages", 0.8, 0};
// One coding-agent CLI that thousands of honest power users run.
constexpr Client kCodingAgentClient = {"codeagent-cli/1.0.42 (external, cli)", "t13d1516h2_8daaf6152771_e5627efa2ab1",
                                       "/v1/messages", 1.0, 0};
// Client stacks a campaign can standardise on (one_stack, switched).
constexpr std::array<size_t, 5> kHarnessStacks = {kPythonRequests, kAiohttp, kGoClient, kPythonSdk, kCurl};
// Campaign harnesses: 60% of accounts really run the Python SDK; the rest send
// the SDK's user agent from their own aiohttp harness (ua_mimicry), whose TLS
// fingerprint honest aiohttp users share: the mismatch, not the fingerprint,
// is the tell, and only for part of the campaign.
constexpr double kHarnessShare = 0.4;

size_t PickClient(Rng& rng) {
  int total = 0;
  for (const Client& client : kClients) total += client.weight;
  int pick = static_cast<int>(rng.Below(static_cast<uint64_t>(total)));
  for (size_t index = 0; index < kClients.size(); ++index) {
    if ((pick -= kClients[index].weight) < 0) return index;
  }
  return 0;
}

// --- E-mail domains.
// Disposable domains too: some honest people use them.
constexpr std::array<const char*, 16> kFreeMail = {
    "gmail.com",  "gmail.com",  "gmail.com", "gmail.com", "gmail.com",   "outlook.com", "outlook.com", "yahoo.com",
    "icloud.com", "icloud.com", "proton.me", "qq.com",    "hotmail.com", "163.com",     "tmpbox.net",  "mailnesia.org"};
constexpr std::array<const char*, 6> kCampaignMail = {"gmail.com",  "outlook.com",   "proton.me",
                                                      "tmpbox.net", "mailnesia.org", "hotmail.com"};
constexpr std::array<const char*, 8> kWebmail = {"gmail.com",  "outlook.com", "yahoo.com", "hotmail.com",
                                                 "icloud.com", "proton.me",   "qq.com",    "163.com"};
constexpr std::array<const char*, 5> kThrowawayTlds = {"com", "net", "xyz", "site", "online"};

// --- Time zones (UTC offset in hours) by country, for daily rhythms.
int TimeZone(std::string_view country) {
  static constexpr std::array<std::pair<std::string_view, int>, 16> kZones = {{{"US", -6},
                                                                               {"CA", -5},
                                                                               {"BR", -3},
                                                                               {"GB", 0},
                                                                               {"FR", 1},
                                                                               {"DE", 1},
                                                                               {"NL", 1},
                                                                               {"RU", 3},
                                                                               {"AE", 4},
                                                                               {"IN", 5},
                                                                               {"SG", 8},
                                                                               {"CN", 8},
                                                                               {"HK", 8},
                                                                               {"MY", 8},
                                                                               {"JP", 9},
                                                                               {"KR", 9}}};
  for (auto [code, offset] : kZones) {
    if (code == country) return offset;
  }
  return country == "AU" ? 10 : 0;
}

// Relative activity at a local hour and weekday (max 1).
double TimingFactor(Timing timing, int64_t local_ms) {
  int64_t day = local_ms >= 0 ? local_ms / kDayMs : (local_ms - kDayMs + 1) / kDayMs;
  int hour = static_cast<int>((local_ms - day * kDayMs) / kHourMs);
  int weekday = static_cast<int>(((day % 7) + 7 + 3) % 7);  // 0 = Monday (1970-01-01 was a Thursday)
  bool weekend = weekday >= 5;
  switch (timing) {
    case Timing::kHuman: {
      static constexpr std::array<double, 24> kHuman = {0.25, 0.12, 0.06, 0.04, 0.04, 0.06, 0.15, 0.35,
                                                        0.55, 0.7,  0.8,  0.85, 0.85, 0.85, 0.85, 0.85,
                                                        0.85, 0.9,  0.95, 1.0,  1.0,  0.9,  0.7,  0.45};
      return kHuman[hour] * (weekend ? 0.9 : 1.0);
    }
    case Timing::kWorkHours: {
      double factor = hour >= 9 && hour < 18 ? 1.0 : (hour >= 7 && hour < 23 ? 0.3 : 0.03);
      return weekend ? factor * 0.2 : factor;
    }
    case Timing::kAroundTheClock:
      return 0.75 + 0.25 * std::sin(6.283185307179586 * hour / 24.0);
  }
  return 1.0;
}

double MeanTimingFactor(Timing timing) {
  double sum = 0;
  for (int hour = 0; hour < 24 * 7; ++hour) sum += TimingFactor(timing, hour * kHourMs + kHourMs / 2);
  return sum / (24 * 7);
}

// How many chances, each taken with probability p, pass before one is taken.
double GeometricSkips(Rng& rng, double p) {
  return std::floor(std::log1p(-rng.Uniform()) / std::log1p(-std::min(p, 0.999999)));
}

// An address in `prefix` (IPv6 groups, e.g. a /48's three) with `groups`
// (REQUIRES: 1..8) random 16-bit groups after it, the last never 0. The
// groups are drawn last first: the order the simulator's output has always
// had (it came from GCC evaluating format arguments right to left).
std::string RandomHostIn(std::string_view prefix, int groups, Rng& rng) {
  std::array<uint64_t, 8> values{};
  values[groups - 1] = 1 + rng.Below(0xfffe);
  for (int group = groups - 2; group >= 0; --group) values[group] = rng.Below(0x10000);
  std::string address(prefix);
  for (int group = 0; group < groups; ++group) fmt::format_to(std::back_inserter(address), ":{:x}", values[group]);
  return address;
}

// Benchmark and judge harnesses run in bursts of hundreds of requests.
bool Bursty(const GroupSpec& spec) { return spec.behavior == Behavior::kEval || spec.behavior == Behavior::kJudge; }

bool MultiTurnCapability(Capability capability) {
  return capability == Capability::kAgentic || capability == Capability::kComputerUse;
}

// Turns per conversation for a capability. Tool-use sessions run long
// trajectories; campaigns keep other tasks to 1-3 turns (and all of them when
// agentic_trajectories is off); honest users talk as long as they like.
std::pair<int, int> TurnRange(const GroupSpec& spec, Capability capability) {
  bool multi = MultiTurnCapability(capability);
  bool capped = spec.campaign() && (!multi || !spec.mechanics.agentic_trajectories);
  int max_turns = capped ? std::min(spec.max_turns, 3) : spec.max_turns;
  int min_turns = multi ? std::min(max_turns, std::max(spec.min_turns, 3)) : spec.min_turns;
  return {min_turns, std::max(min_turns, max_turns)};
}

std::string Base36(uint64_t value, int length) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out(static_cast<size_t>(length), '0');
  for (int index = length - 1; index >= 0; --index) {
    out[static_cast<size_t>(index)] = kDigits[value % 36];
    value /= 36;
  }
  return out;
}

struct GroupState;

// One simulated account.
struct Actor {
  uint32_t group = 0;
  uint64_t id = 0;  // global, for names
  Rng rng;
  int64_t start_ms = 0, end_ms = 0;
  double sessions_per_ms = 0;  // peak rate (before the timing factor)
  int tz_hours = 0;
  // Identity.
  int64_t created_ms = 0;
  const char* verified = "email";
  uint64_t org = 0, key = 0, payment = 0;
  std::string email_domain;
  std::string billing_country;
  uint32_t client = 0;  // index in kClients; kAgent for the agent framework
  bool agent_client = false;
  int tools = 0;              // tool definitions this account sends with tool-use requests
  bool v6_mobile = false;     // a mobile subscriber on IPv6
  int64_t max_tokens = 1024;  // the account's client sets one output cap
  Timing timing = Timing::kHuman;
  bool metadata_only = false;            // no text is logged for this account
  const Client* fixed_client = nullptr;  // agent CLIs: one stack for every user
  // Client changes (a campaign switching stacks, an SDK upgrade).
  uint32_t client_after = 0;
  bool upgrade_ua = false;
  int64_t client_switch_ms = INT64_MAX;
  // Campaigns.
  NetworkStrategy network = NetworkStrategy::kSharedProxyPool;
  Endpoint campaign_home;  // datacenter or static ISP-proxy address
  // Aged accounts: an honest owner's history until switch_ms.
  int64_t switch_ms = 0;
  uint64_t history_payment = 0;
  uint32_t history_client = 0;
  double history_sessions_per_ms = 0;
  bool cover = false;  // the session in progress is honest-looking (history or reseller cover)
  int job_sessions_left = 0;
  std::string session_system;  // the campaign's system prompt for this conversation
  int system_prompt = -1;      // honest: the account's own system prompt (-1: none)
  size_t campaign_system = 0;  // campaign: the wording chosen for this conversation
  Endpoint home;               // fixed egress (residential, business, cloud)
  // Conversation in progress.
  Endpoint session_ip;
  int turns_left = 0, turn = 0;
  uint64_t conversation = 0, conversations = 0;
  Capability capability = Capability::kChat;
  int burst_left = 0;  // eval runs
  bool new_model_session = false;
  // Bookkeeping.
  int64_t first_event_ms = -1;
};

struct GroupState {
  const GroupSpec* spec = nullptr;
  GroupSummary summary;
  double mean_timing = 1;
  double expected_turns = 1;
  std::vector<double> mix_cumulative;
  uint64_t wave_phase_ms = 0;
  size_t campaign_ordinal = 0;  // position among the scenario's campaigns
  absl::flat_hash_set<std::string> ips;
  absl::flat_hash_set<uint64_t> payments;
  AddressPool own_pool;  // carved per group (CGNAT ranges, campaign datacenter ranges)
  // Redteam campaigns.
  std::vector<int64_t> job_times;  // job_waves: when the dispatcher sends out jobs
  std::vector<Endpoint> v6_sites;  // ipv6_rotating: the /48s addresses rotate in (ip = prefix)
  uint32_t stack_a = 0, stack_b = 0;
  int64_t client_switch_ms = INT64_MAX;
  std::string shared_domain;
};

struct Pending {
  int64_t start_ms, end_ms;
  uint32_t group;
  uint32_t index;  // within the group
  int64_t created_ms;
  uint64_t payment;  // 0: none (free tier)
  double rate_per_day;
  int64_t switch_ms = 0;  // aged campaign accounts: honest history before this
  uint64_t history_payment = 0;
};

// Developers and institutions often set their own system prompt once.
constexpr std::array<const char*, 6> kOwnSystemPrompts = {
    "You are a helpful coding assistant. Prefer {} and explain briefly.",
    "You are an expert {} developer. Answer with code first, then a short explanation.",
    "Be concise. I work mostly in {}. Show complete code when you change something.",
    "You are a senior engineer reviewing {} code. Point out bugs and risks.",
    "Answer as a patient tutor. Use {} for examples.",
    "You are an assistant for our research group. Use {} where code is needed and cite sources."};
constexpr std::array<const char*, 6> kOwnLanguages = {"Python", "TypeScript", "Go", "Rust", "Java", "C++"};

void AppendOwnSystemPrompt(const Actor& a, std::string* system) {
  fmt::format_to(std::back_inserter(*system),
                 fmt::runtime(kOwnSystemPrompts[a.system_prompt % kOwnSystemPrompts.size()]),
                 kOwnLanguages[(a.id >> 8) % kOwnLanguages.size()]);
}

class Simulator {
 public:
  Simulator(const Scenario& scenario, const SimulateOptions& options, Network network, PromptLibrary prompts,
            io::OutputFile* events, io::OutputFile* truth)
      : scenario_(scenario),
        options_(options),
        network_(std::move(network)),
        prompts_(std::move(prompts)),
        events_(events),
        truth_(truth) {}

  SimulationSummary Run();

 private:
  void Plan();
  void PlanStrategy(uint32_t group, GroupState* state);
  static void PlanLookAlike(const GroupSpec& spec, uint64_t seed, Pending* pending);
  void Activate(const Pending& pending);
  void ActivateStrategy(const GroupSpec& spec, const Pending& pending, Actor& actor);
  void ActivateLookAlike(const GroupSpec& spec, Actor& actor);
  void Step(uint32_t slot, int64_t now);
  int64_t NextSessionTime(Actor& actor, int64_t now);
  int64_t NextJobTime(Actor& actor, int64_t now);
  int64_t NextBoundary(Actor& actor, int64_t now, int64_t period, int64_t phase, double jitter_seconds);
  void StartSession(Actor& actor, int64_t now);
  void Emit(Actor& actor, int64_t now);
  Endpoint PickEndpoint(Actor& actor, const GroupSpec& spec, int64_t now);
  Endpoint CampaignEndpoint(Actor& actor);
  const char* ModelFor(Actor& actor, const GroupSpec& spec, int64_t now);
  void BuildPrompt(Actor& actor, const GroupSpec& spec, std::string* system, std::string* prompt);
  void AppendTemplated(Actor& actor, const Mechanics& mechanics, std::string* system, std::string* prompt);
  void AppendCampaignContent(Actor& actor, ContentStrategy content, std::string* system, std::string* prompt);

  const Scenario& scenario_;
  const SimulateOptions& options_;
  Network network_;
  PromptLibrary prompts_;
  io::OutputFile* events_;
  io::OutputFile* truth_;
  std::vector<GroupState> groups_;
  std::vector<Pending> pending_;  // sorted by start
  std::vector<Actor> actors_;
  std::vector<uint32_t> free_slots_;
  using Entry = std::pair<int64_t, uint32_t>;  // (time, slot)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  SimulationSummary summary_;
  std::string line_, system_, prompt_;
};

void Simulator::Plan() {
  groups_.resize(scenario_.groups.size());
  uint64_t seed = options_.seed;
  size_t campaigns = 0;
  for (uint32_t g = 0; g < scenario_.groups.size(); ++g) {
    if (scenario_.groups[g].campaign()) groups_[g].campaign_ordinal = campaigns++;
  }
  for (uint32_t g = 0; g < scenario_.groups.size(); ++g) {
    const GroupSpec& spec = scenario_.groups[g];
    GroupState& state = groups_[g];
    state.spec = &spec;
    state.summary.name = spec.name;
    state.summary.campaign = spec.campaign();
    Timing timing = spec.campaign() && !spec.mechanics.spread_volume ? Timing::kAroundTheClock : spec.timing;
    // Lockstep waves and flat 24/7 schedules ignore the daily rhythm.
    bool rhythm = !(spec.campaign() &&
                    (!spec.mechanics.spread_volume || spec.mechanics.synchronized || spec.mechanics.job_waves)) &&
                  spec.cron_minutes <= 0;
    state.mean_timing = rhythm ? MeanTimingFactor(timing) : 1.0;
    double total = 0, turns = 0;
    for (auto [capability, weight] : spec.mix) {
      total += weight;
      state.mix_cumulative.push_back(total);
      auto [min_turns, max_turns] = TurnRange(spec, capability);
      turns += weight * (min_turns + max_turns) / 2.0;
    }
    state.expected_turns = total > 0 ? turns / total : 1;
    Rng rng(Rng::Mix(seed, 1000 + g));
    state.wave_phase_ms = rng.Below(static_cast<uint64_t>(std::max(1.0, spec.mechanics.wave_minutes) * 60000));
    if (spec.access == Access::kMobile) {
      // Carrier CGNAT: one public IP per ~40 subscribers.
      size_t ips = static_cast<size_t>(std::max(4.0, spec.accounts * scenario_.scale / 40));
      state.own_pool = network_.mobile.Carve(rng, ips, 1);
    }
    const Mechanics& m = spec.mechanics;
    if (spec.campaign() && (m.network == NetworkStrategy::kDatacenter || m.network == NetworkStrategy::kMixture)) {
      state.own_pool = network_.cloud.Carve(rng, 8, 256);
    }
    if (spec.campaign()) PlanStrategy(g, &state);

    uint32_t count = static_cast<uint32_t>(std::llround(spec.accounts * scenario_.scale));
    if (spec.accounts > 0) count = std::max<uint32_t>(count, 1);
    int64_t window = spec.end_ms - spec.start_ms;
    std::vector<Pending> planned;
    planned.reserve(count);
    for (uint32_t index = 0; index < count; ++index) {
      Rng account_rng(Rng::Mix(Rng::Mix(seed, g), index));
      Pending p{spec.start_ms, spec.end_ms, g, index, 0, 0, 0, 0, 0};
      if (spec.campaign()) {
        int64_t lifetime = window;
        if (m.churn) {
          lifetime = std::min<int64_t>(
              window, static_cast<int64_t>(account_rng.Uniform(m.lifetime_min_days, m.lifetime_max_days) * kDayMs));
          p.start_ms =
              spec.start_ms + static_cast<int64_t>(account_rng.Uniform() * static_cast<double>(window - lifetime));
          p.end_ms = p.start_ms + lifetime;
        }
        if (m.switch_on) {  // every account starts within the same three hours
          p.start_ms = spec.start_ms + static_cast<int64_t>(account_rng.Uniform(0, 3) * kHourMs);
          p.end_ms = std::min(spec.end_ms, p.start_ms + lifetime);
        }
        if (m.aged_share > 0 && account_rng.Chance(m.aged_share)) {  // its owner used it from the start of the log
          p.switch_ms = p.start_ms;
          p.start_ms = std::min(scenario_.start_ms, p.start_ms);
        }
      } else {
        if (account_rng.Chance(0.05)) {  // signs up during the window
          p.start_ms = spec.start_ms + static_cast<int64_t>(account_rng.Uniform() * static_cast<double>(window));
        }
        bool builder = spec.behavior == Behavior::kDeveloper || spec.behavior == Behavior::kAgentFramework;
        if (builder && account_rng.Chance(0.1)) {  // a project ends, a trial runs out
          p.end_ms = p.start_ms +
                     static_cast<int64_t>(account_rng.Uniform(0.1, 1.0) * static_cast<double>(p.end_ms - p.start_ms));
        }
      }
      planned.push_back(p);
    }
    std::sort(planned.begin(), planned.end(), [](const Pending& a, const Pending& b) {
      return std::tie(a.start_ms, a.index) < std::tie(b.start_ms, b.index);
    });
    // Volume: campaigns spread their reported exchanges over account-days.
    double account_days = 0;
    for (const Pending& p : planned) account_days += static_cast<double>(p.end_ms - p.start_ms) / kDayMs;
    double campaign_rate = spec.campaign() && account_days > 0 ? spec.exchanges * scenario_.scale / account_days : 0;
    if (spec.campaign() && spec.exchanges <= 0) campaign_rate = spec.requests_per_day;
    uint64_t batch = 0, batch_size = 0, batch_end = 0;
    int64_t batch_created = 0, batch_first_start = 0;
    for (uint32_t rank = 0; rank < planned.size(); ++rank) {
      Pending& p = planned[rank];
      Rng account_rng(Rng::Mix(Rng::Mix(seed, g), p.index + 0x5eed));
      if (spec.campaign()) {
        double sigma = spec.rate_sigma;
        p.rate_per_day = campaign_rate * account_rng.LogNormal(1.0, sigma) * std::exp(-sigma * sigma / 2);
        if (spec.mechanics.signup_bursts) {
          if (rank >= batch_end || p.start_ms - batch_first_start > 72 * kHourMs) {  // a new burst of sign-ups
            ++batch;
            batch_size = 20 + account_rng.Below(180);
            batch_end = rank + batch_size;
            batch_created = p.start_ms - static_cast<int64_t>(account_rng.Uniform(2, 72) * kHourMs);
            batch_first_start = p.start_ms;
          }
          p.created_ms = batch_created + static_cast<int64_t>(account_rng.Uniform(0, 45) * 60000);
        } else if (m.trickle) {
          p.created_ms = p.start_ms - static_cast<int64_t>(account_rng.Uniform(1, 48) * kHourMs);
        } else {
          p.created_ms = p.start_ms - static_cast<int64_t>(account_rng.Uniform(1, 90) * kDayMs);
        }
        p.payment =
            spec.mechanics.shared_payment
                ? Rng::Mix(Rng::Mix(seed, g),
                           0x9a4 + rank / static_cast<uint64_t>(std::max(1.0, spec.mechanics.accounts_per_payment)))
                : Rng::Mix(Rng::Mix(seed, g), 0x10000000 + p.index);
        if (m.free_tier) p.payment = 0;
        if (p.switch_ms > 0) {  // bought with months of history and its owner's card
          p.created_ms = p.switch_ms - static_cast<int64_t>(account_rng.Uniform(60, 400) * kDayMs);
          p.history_payment = Rng::Mix(Rng::Mix(seed, g), 0x20000000 + p.index);
          if (!m.shared_payment) p.payment = p.history_payment;
        }
      } else {
        p.rate_per_day = account_rng.LogNormal(spec.requests_per_day, spec.rate_sigma);
        bool new_signup = p.start_ms > spec.start_ms;
        p.created_ms = new_signup ? p.start_ms - static_cast<int64_t>(account_rng.Uniform(0, 2) * kHourMs)
                                  : p.start_ms - static_cast<int64_t>(account_rng.Uniform(0, 1500) * kDayMs);
        // Mostly one instrument per account; 8% of households (groups of
        // four neighbouring accounts) share one, decided per household.
        Rng household(Rng::Mix(Rng::Mix(seed, g), 0x40000000 + p.index / 4));
        uint64_t owner = household.Chance(0.08) ? p.index / 4 : p.index + 0x100000;
        if (spec.accounts_per_org > 1 && spec.behavior != Behavior::kHackathon) {
          owner = p.index / static_cast<uint64_t>(spec.accounts_per_org);
        }
        p.payment = Rng::Mix(Rng::Mix(seed, g), 0x7000000 + owner);
        PlanLookAlike(spec, Rng::Mix(Rng::Mix(seed, g), 0x50000000 + p.index), &p);
      }
      pending_.push_back(p);
    }
  }
  std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
    return std::tie(a.start_ms, a.group, a.index) < std::tie(b.start_ms, b.group, b.index);
  });
}

// Group-wide pieces of a redteam campaign's strategy. Draws from its own
// stream, so the reported scenarios' output does not change.
void Simulator::PlanStrategy(uint32_t g, GroupState* state) {
  const GroupSpec& spec = scenario_.groups[g];
  const Mechanics& m = spec.mechanics;
  Rng rng(Rng::Mix(options_.seed, 5000 + g));
  if (m.job_waves) {
    double gap_ms = std::max(0.05, m.job_gap_hours) * kHourMs;
    for (int64_t t = spec.start_ms + static_cast<int64_t>(rng.Exponential(1 / gap_ms)); t < spec.end_ms;
         t += static_cast<int64_t>(rng.Exponential(1 / gap_ms)) + 1) {
      state->job_times.push_back(t);
    }
  }
  if (m.network == NetworkStrategy::kIpv6Rotating || m.network == NetworkStrategy::kMixture) {
    for (uint64_t site = 0, sites = 2 + rng.Below(3); site < sites; ++site) {
      Endpoint host = network_.cloud.Draw(rng);
      state->v6_sites.push_back(
          {fmt::format("2a0{:x}:{:x}:{:x}", 1 + rng.Below(15), rng.Below(0x10000), rng.Below(0x10000)), host.asn,
           host.country});
    }
  }
  state->stack_a = static_cast<uint32_t>(kHarnessStacks[rng.Below(kHarnessStacks.size())]);
  do {
    state->stack_b = static_cast<uint32_t>(kHarnessStacks[rng.Below(kHarnessStacks.size())]);
  } while (state->stack_b == state->stack_a);
  state->client_switch_ms = spec.start_ms + (spec.end_ms - spec.start_ms) / 2;
  state->shared_domain = fmt::format("{}.{}", Base36(rng.Next(), 7), kThrowawayTlds[rng.Below(kThrowawayTlds.size())]);
}

// Honest look-alike knobs on one account's plan (free tier, sign-up windows).
void Simulator::PlanLookAlike(const GroupSpec& spec, uint64_t seed, Pending* p) {
  Rng rng(seed);
  if (spec.free_tier_share > 0 && rng.Chance(spec.free_tier_share)) p->payment = 0;
  if (spec.signup_window_hours > 0) {  // a sign-up rush right before the event
    p->created_ms = spec.start_ms - static_cast<int64_t>(rng.Uniform(0, spec.signup_window_hours) * kHourMs);
    p->start_ms = spec.start_ms + static_cast<int64_t>(rng.Uniform(0, 1) * kHourMs);
  }
}

void Simulator::Activate(const Pending& p) {
  const GroupSpec& spec = scenario_.groups[p.group];
  uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<uint32_t>(actors_.size());
    actors_.emplace_back();
  }
  Actor& a = actors_[slot];
  a = Actor();
  a.group = p.group;
  a.id = Rng::Mix(options_.seed, (uint64_t{p.group} << 32) | p.index);
  a.rng = Rng(a.id);
  a.start_ms = p.start_ms;
  a.end_ms = p.end_ms;
  a.created_ms = p.created_ms;
  a.payment = p.payment;
  GroupState& state = groups_[p.group];
  a.sessions_per_ms = p.rate_per_day / state.expected_turns / state.mean_timing / kDayMs;
  uint64_t org_index = spec.accounts_per_org > 1 ? p.index / static_cast<uint64_t>(spec.accounts_per_org) : p.index;
  a.org = Rng::Mix(Rng::Mix(options_.seed, p.group + 77), org_index);
  a.key = spec.behavior == Behavior::kSaas ? a.org : a.id;
  Rng org_rng(a.org);
  switch (spec.access) {
    case Access::kResidential:
      a.home = network_.residential.Draw(a.rng);
      if (a.rng.Chance(0.3)) a.home = network_.residential.DrawV6(a.rng).value_or(a.home);  // dual-stack homes on IPv6
      break;
    case Access::kBusiness: {  // the org's NAT egress range (a /29 unless said)
      uint32_t nat = std::max<uint32_t>(1, spec.nat_addresses);
      a.home = network_.business.At(org_rng.Below(3), (org_rng.Below(65536) & ~(nat - 1)) + a.rng.Below(nat));
      break;
    }
    case Access::kIpv6Privacy:
      a.home = network_.residential.DrawV6(a.rng).value_or(network_.residential.Draw(a.rng));
      break;
    case Access::kCloud:
      a.home = network_.cloud.Draw(org_rng);
      break;
    case Access::kMobile:
      a.home = state.own_pool.Draw(a.rng);
      a.v6_mobile = a.rng.Chance(0.4);
      break;
    case Access::kVpn:
      a.home = network_.vpn.Draw(a.rng);
      break;
    case Access::kProxy:
      a.home = network_.residential.Draw(a.rng);
      break;
  }
  if (spec.campaign()) {
    a.billing_country = spec.billing_countries[a.rng.Below(spec.billing_countries.size())];
    a.email_domain = kCampaignMail[a.rng.Below(kCampaignMail.size())];
    double tier = a.rng.Uniform();
    a.verified = tier < 0.55 ? "email" : tier < 0.9 ? "phone" : "payment";
    a.client = a.rng.Chance(kHarnessShare) ? (spec.mechanics.ua_mimicry ? kAiohttp : kPythonRequests) : kPythonSdk;
    a.network = spec.mechanics.network;
    if (a.network == NetworkStrategy::kMixture) a.network = static_cast<NetworkStrategy>(a.rng.Below(6));
    if (a.network == NetworkStrategy::kDatacenter) a.campaign_home = state.own_pool.Draw(a.rng);
    a.tz_hours = TimeZone(a.billing_country);
    ActivateStrategy(spec, p, a);
  } else {
    bool abroad = spec.access == Access::kVpn || spec.access == Access::kProxy || a.rng.Chance(0.03);
    a.billing_country = abroad ? spec.billing_countries[a.rng.Below(spec.billing_countries.size())] : a.home.country;
    if (spec.accounts_per_org > 1 && spec.behavior == Behavior::kInstitution) {
      a.email_domain = fmt::format("{}{}.{}", org_rng.Chance(0.5) ? "univ" : "corp", Base36(a.org, 5),
                                   org_rng.Chance(0.5) ? "edu" : "com");
    } else if (spec.behavior == Behavior::kSaas) {
      a.email_domain = fmt::format("{}.io", Base36(a.org, 6));
    } else {
      a.email_domain = a.rng.Chance(0.85) ? kFreeMail[a.rng.Below(kFreeMail.size())]
                                          : fmt::format("{}.com", Base36(a.rng.Next(), 6));
    }
    double tier = a.rng.Uniform();
    switch (spec.behavior) {
      case Behavior::kSaas:
      case Behavior::kEval:
      case Behavior::kJudge:
      case Behavior::kBatch:
        a.verified = tier < 0.6 ? "enterprise" : "payment";
        break;
      case Behavior::kInstitution:
        a.verified = tier < 0.7 ? "enterprise" : "id";
        break;
      case Behavior::kDeveloper:
      case Behavior::kAgentFramework:
        a.verified = tier < 0.4 ? "email" : tier < 0.7 ? "phone" : "payment";
        break;
      default:
        a.verified = tier < 0.1 ? "none" : tier < 0.7 ? "email" : tier < 0.95 ? "phone" : "payment";
    }
    a.client = static_cast<uint32_t>(PickClient(a.rng));
    a.agent_client = spec.behavior == Behavior::kAgentFramework;
    // Developers wire up their own tool sets, of any size; a framework's users all send the same.
    a.tz_hours = TimeZone(a.home.country);
  }
  a.tools = spec.behavior == Behavior::kDeveloper ? static_cast<int>(a.rng.Between(1, 20)) : spec.tools;
  // One output cap per account (clients set it once). Campaigns favour large
  // caps; many developers and agent users do too.
  static constexpr std::array<int64_t, 6> kCaps = {1024, 2048, 4096, 8192, 16384, 32000};
  if (spec.campaign()) {
    a.max_tokens = kCaps[2 + a.rng.Below(4)];
  } else if (spec.fixed_max_tokens > 0) {
    a.max_tokens = spec.fixed_max_tokens;
  } else if (Bursty(spec)) {
    a.max_tokens = 2048;
  } else if (spec.behavior == Behavior::kDeveloper || spec.behavior == Behavior::kAgentFramework) {
    a.max_tokens = kCaps[1 + a.rng.Below(5)];
  } else {
    a.max_tokens = kCaps[a.rng.Below(3)];
  }
  a.timing = spec.timing;
  if (!spec.campaign()) ActivateLookAlike(spec, a);
  bool own_prompt = spec.behavior == Behavior::kDeveloper || spec.behavior == Behavior::kInstitution;
  if (own_prompt && a.rng.Chance(0.3)) a.system_prompt = static_cast<int>(a.rng.Below(kOwnSystemPrompts.size()));
  // Some developers and agent users run from CI, notebooks and cloud machines.
  bool builder = spec.behavior == Behavior::kDeveloper || spec.behavior == Behavior::kAgentFramework;
  if (builder && a.rng.Chance(0.15)) a.home = network_.cloud.Draw(a.rng);
  a.turns_left = 0;
  if (a.end_ms > a.start_ms)
    queue_.push({std::max(a.start_ms, std::min(a.end_ms, NextSessionTime(a, a.start_ms))), slot});
}

// A redteam campaign account's identity, client and network beyond the
// reported campaigns' (Mechanics fields unset there: nothing is drawn).
void Simulator::ActivateStrategy(const GroupSpec& spec, const Pending& p, Actor& a) {
  const Mechanics& m = spec.mechanics;
  const GroupState& state = groups_[a.group];
  if (m.email) {
    switch (*m.email) {
      case EmailStrategy::kWebmail:
        a.email_domain = kWebmail[a.rng.Below(kWebmail.size())];
        break;
      case EmailStrategy::kThrowawayDomains:  // a fresh domain for every few accounts
        a.email_domain = fmt::format("{}.{}", Base36(Rng::Mix(a.group, p.index / 3), 8),
                                     kThrowawayTlds[(p.index / 3) % kThrowawayTlds.size()]);
        break;
      case EmailStrategy::kSharedDomain:
        a.email_domain = state.shared_domain;
        break;
    }
  }
  if (m.verification == VerificationStrategy::kEmail) a.verified = "email";
  if (m.verification == VerificationStrategy::kPhone) a.verified = "phone";
  if (m.client) {
    switch (*m.client) {
      case ClientStrategy::kOneStack:
        a.client = state.stack_a;
        break;
      case ClientStrategy::kHonestMix:
        a.client = static_cast<uint32_t>(PickClient(a.rng));
        break;
      case ClientStrategy::kSwitched:
        a.client = state.stack_a;
        a.client_after = state.stack_b;
        a.client_switch_ms = state.client_switch_ms;
        break;
    }
  }
  if (a.network == NetworkStrategy::kStaticIsp) a.campaign_home = network_.residential.Draw(a.rng);
  if (p.switch_ms > 0) {  // the honest owner before the switch: own client, home, e-mail
    a.switch_ms = p.switch_ms;
    a.history_payment = p.history_payment;
    a.history_client = static_cast<uint32_t>(PickClient(a.rng));
    a.email_domain = kWebmail[a.rng.Below(kWebmail.size())];
    a.billing_country = a.home.country;
    a.history_sessions_per_ms = a.rng.LogNormal(1.5, 0.8) / 2.5 / MeanTimingFactor(Timing::kHuman) / kDayMs;
  }
}

void Simulator::ActivateLookAlike(const GroupSpec& spec, Actor& a) {
  if (spec.behavior == Behavior::kCodingAgent) a.fixed_client = &kCodingAgentClient;
  if (spec.overnight_share > 0 && a.rng.Chance(spec.overnight_share)) a.timing = Timing::kAroundTheClock;
  if (spec.metadata_only_share > 0) a.metadata_only = a.rng.Chance(spec.metadata_only_share);
  if (spec.client_upgrade_ms > 0) {  // most upgrade within days of the release, some never
    a.client_after = a.client;
    a.upgrade_ua = true;
    if (a.rng.Chance(0.8))
      a.client_switch_ms = spec.client_upgrade_ms + static_cast<int64_t>(a.rng.Uniform(0, 4) * kDayMs);
  }
}

int64_t Simulator::NextSessionTime(Actor& a, int64_t now) {
  const GroupSpec& spec = scenario_.groups[a.group];
  if (a.sessions_per_ms <= 0) return a.end_ms;
  if (now < a.switch_ms) {  // an aged account's owner, until the switch
    int64_t t = now;
    for (int attempt = 0; attempt < 100000; ++attempt) {
      t += static_cast<int64_t>(a.rng.Exponential(a.history_sessions_per_ms)) + 1;
      if (t >= a.switch_ms) return a.switch_ms;
      if (a.rng.Uniform() < TimingFactor(Timing::kHuman, t + a.tz_hours * kHourMs)) return t;
    }
    return a.switch_ms;
  }
  if (spec.campaign() && spec.mechanics.job_waves) return NextJobTime(a, now);
  if (spec.cron_minutes > 0) {  // scheduled jobs fire on the hour (or its parts), whoever runs them
    return NextBoundary(a, now, static_cast<int64_t>(spec.cron_minutes * 60000), 0, 5);
  }
  if (Bursty(spec)) {  // benchmark runs: the next run starts in days
    double mean_run = 2750;
    double runs_per_ms = a.sessions_per_ms * groups_[a.group].expected_turns / mean_run * groups_[a.group].mean_timing;
    return now + static_cast<int64_t>(a.rng.Exponential(runs_per_ms));
  }
  if (spec.campaign() && spec.mechanics.synchronized) {
    // Lockstep: every account fires on the campaign's wave boundaries, each
    // wave with probability p (its share of the volume), within seconds.
    int64_t wave = std::max<int64_t>(60000, static_cast<int64_t>(spec.mechanics.wave_minutes * 60000));
    return NextBoundary(a, now, wave, static_cast<int64_t>(groups_[a.group].wave_phase_ms), 20);
  }
  Timing timing = spec.campaign() && !spec.mechanics.spread_volume ? Timing::kAroundTheClock : a.timing;
  bool flat = spec.campaign() && !spec.mechanics.spread_volume;
  int64_t t = now;
  for (int attempt = 0; attempt < 100000; ++attempt) {
    t += static_cast<int64_t>(a.rng.Exponential(a.sessions_per_ms)) + 1;
    if (t >= a.end_ms) return a.end_ms;
    if (flat || a.rng.Uniform() < TimingFactor(timing, t + a.tz_hours * kHourMs)) return t;
  }
  return t;
}

// The next boundary of the clock (every `period` ms from `phase`) the account
// fires on, each taken with probability p (its share of the volume), within
// `jitter_seconds`; a.end_ms if it takes none before its end.
int64_t Simulator::NextBoundary(Actor& a, int64_t now, int64_t period, int64_t phase, double jitter_seconds) {
  double p = std::min(1.0, a.sessions_per_ms * static_cast<double>(period));
  double skipped = GeometricSkips(a.rng, p);
  if (!(skipped <= static_cast<double>((a.end_ms - now) / period))) return a.end_ms;  // past its end (or NaN)
  int64_t next = ((now - phase) / period + 1) * period + phase;
  return next + static_cast<int64_t>(skipped) * period +
         static_cast<int64_t>(a.rng.Uniform(0, jitter_seconds) * kSecondMs);
}

// A campaign that dispatches jobs: each job, at a random time, goes out to a
// random share of the accounts, each running its share of sessions within
// minutes of the dispatch.
int64_t Simulator::NextJobTime(Actor& a, int64_t now) {
  if (a.job_sessions_left > 0) {
    --a.job_sessions_left;
    return now + static_cast<int64_t>(a.rng.Uniform(5, 90) * kSecondMs);
  }
  const std::vector<int64_t>& jobs = groups_[a.group].job_times;
  double per_job = a.sessions_per_ms * scenario_.groups[a.group].mechanics.job_gap_hours * kHourMs;
  double p = std::min(1.0, per_job);
  auto next = std::upper_bound(jobs.begin(), jobs.end(), now);
  double skip = GeometricSkips(a.rng, p);
  if (!(skip < static_cast<double>(jobs.end() - next))) return a.end_ms;  // also NaN
  auto skipped = static_cast<ptrdiff_t>(skip);
  if (per_job > 1) {
    double extra = per_job - 1;
    a.job_sessions_left = static_cast<int>(extra) + (a.rng.Chance(extra - std::floor(extra)) ? 1 : 0);
  }
  return next[skipped] + static_cast<int64_t>(a.rng.Uniform(0, 10) * 60000);
}

// What an honest person asks (a bought account's owner, a reseller's customer).
constexpr std::array<std::pair<Capability, double>, 5> kCoverMix = {{{Capability::kChat, 0.4},
                                                                     {Capability::kCode, 0.3},
                                                                     {Capability::kCreative, 0.1},
                                                                     {Capability::kDataAnalysis, 0.1},
                                                                     {Capability::kReasoning, 0.1}}};

void Simulator::StartSession(Actor& a, int64_t now) {
  const GroupSpec& spec = scenario_.groups[a.group];
  GroupState& state = groups_[a.group];
  a.cover = now < a.switch_ms || (spec.mechanics.cover_share > 0 && a.rng.Chance(spec.mechanics.cover_share));
  if (a.cover) {
    double pick = a.rng.Uniform();
    size_t index = 0;
    while (index + 1 < kCoverMix.size() && (pick -= kCoverMix[index].second) >= 0) ++index;
    a.capability = kCoverMix[index].first;
    a.turns_left = static_cast<int>(a.rng.Between(1, 4));
  } else {
    double pick = a.rng.Uniform() * state.mix_cumulative.back();
    size_t index = 0;
    while (index + 1 < state.mix_cumulative.size() && pick >= state.mix_cumulative[index]) ++index;
    a.capability = spec.mix[index].first;
    auto [min_turns, max_turns] = TurnRange(spec, a.capability);
    a.turns_left = static_cast<int>(a.rng.Between(min_turns, max_turns));
  }
  if (Bursty(spec)) a.turns_left = 1;
  a.turn = 0;
  a.conversation = Rng::Mix(a.id, ++a.conversations);
  a.session_ip = PickEndpoint(a, spec, now);
  a.new_model_session = false;
  a.session_system.clear();
}

Endpoint Simulator::CampaignEndpoint(Actor& a) {
  const GroupState& state = groups_[a.group];
  switch (a.network) {
    case NetworkStrategy::kDatacenter:
    case NetworkStrategy::kStaticIsp:
      return a.campaign_home;
    case NetworkStrategy::kVpn:
      return network_.vpn.Draw(a.rng);
    case NetworkStrategy::kResidentialPerRequest:
      // Residential proxy networks resell home users' devices: any household address.
      return network_.residential.Draw(a.rng);
    case NetworkStrategy::kIpv6Rotating: {
      const Endpoint& site = state.v6_sites[a.rng.Below(state.v6_sites.size())];
      return {RandomHostIn(site.ip, 5, a.rng), site.asn, site.country};
    }
    case NetworkStrategy::kSharedProxyPool:
    case NetworkStrategy::kMixture:
      break;
  }
  return a.rng.Chance(scenario_.groups[a.group].mechanics.proxy_datacenter_share)
             ? network_.proxy_datacenter.Draw(a.rng)
             : network_.proxy_residential.Draw(a.rng);
}

// Whether every request (not every conversation) gets a new address.
bool RotatesPerRequest(const Actor& a, const GroupSpec& spec, int64_t now) {
  if (spec.access == Access::kIpv6Privacy) return true;
  if (!spec.campaign() || now < a.switch_ms) return false;
  switch (a.network) {
    case NetworkStrategy::kSharedProxyPool:
      return spec.mechanics.rotate_per_request;
    case NetworkStrategy::kResidentialPerRequest:
    case NetworkStrategy::kIpv6Rotating:
      return true;
    default:
      return false;
  }
}

Endpoint Simulator::PickEndpoint(Actor& a, const GroupSpec& spec, int64_t now) {
  if (spec.campaign() && now >= a.switch_ms) return CampaignEndpoint(a);
  if (spec.access == Access::kProxy && !spec.campaign()) {
    return a.rng.Chance(0.3) ? network_.proxy_datacenter.Draw(a.rng) : network_.proxy_residential.Draw(a.rng);
  }
  switch (spec.access) {
    case Access::kIpv6Privacy: {  // a new interface id inside the home /64
      size_t cut = a.home.ip.find("::");
      if (cut == std::string::npos) return a.home;
      return {RandomHostIn(std::string_view(a.home.ip).substr(0, cut), 4, a.rng), a.home.asn, a.home.country};
    }
    case Access::kMobile:
      // IPv6 subscribers get a fresh prefix per attachment; IPv4 ones share CGNAT addresses.
      if (a.v6_mobile) return network_.mobile.DrawV6(a.rng).value_or(a.home);
      return a.rng.Chance(0.3) ? groups_[a.group].own_pool.Draw(a.rng) : a.home;
    case Access::kVpn:
      return a.rng.Chance(0.5) ? network_.vpn.Draw(a.rng) : a.home;
    case Access::kResidential:
      if (a.rng.Chance(0.02)) a.home = network_.residential.Draw(a.rng);  // travel, a new lease on IPv4
      return a.home;
    default:
      return a.home;
  }
}

const char* Simulator::ModelFor(Actor& a, const GroupSpec& spec, int64_t now) {
  int64_t release = scenario_.model_release_ms;
  if (now >= release) {
    double since = static_cast<double>(now - release);
    double share = spec.campaign() && spec.mechanics.pivot_share > 0
                       ? spec.mechanics.pivot_share * std::min(1.0, since / (20.0 * kHourMs))
                       : 0.35 * std::min(1.0, since / (10.0 * kDayMs));
    if (a.turn == 1) a.new_model_session = a.rng.Chance(share);
    if (a.new_model_session) return kNewModel;
  }
  switch (a.capability) {
    case Capability::kCode:
    case Capability::kAgentic:
      return a.conversation % 5 == 0 ? "model-code-2026-01" : "model-large-2026-01";
    case Capability::kChat:
      return a.conversation % 3 == 0 ? "model-small-2026-01" : "model-large-2026-01";
    default:
      return "model-large-2026-01";
  }
}

// Campaign templates: several wordings (paraphrase) of one instruction frame.
// Campaign system prompts: each campaign (by its position among the
// scenario's campaigns) owns two wordings, so different actors never share one.
constexpr std::array<const char*, 8> kCampaignSystems = {
    "You are an expert software engineer and autonomous agent. Always give complete, working solutions and explain "
    "your reasoning in detail.",
    "You are a world-class engineer. Provide full, production-quality answers with a thorough explanation of every "
    "step.",
    "Act as a senior engineer and problem solver. Your answers must be complete and include detailed reasoning.",
    "You are a highly capable assistant for engineering and reasoning tasks. Be exhaustive and explain each decision.",
    "You are an elite programmer and analyst. Produce complete outputs and reason through the problem step by step.",
    "You are a meticulous expert. Answer every request in full, showing the method as well as the result.",
    "You are a precise technical assistant. Never omit steps; justify each part of your answer.",
    "You are a top-tier problem solver. Write out your complete thinking, then the final solution."};
constexpr std::array<const char*, 5> kCampaignPrefixes = {"Task: ", "## Instruction\n", "Problem:\n",
                                                          "Please solve the following.\n", "Request: "};
constexpr std::array<const char*, 5> kCampaignSuffixes = {
    "\n\nReturn the complete solution, then a detailed explanation.",
    "\n\nProvide the full answer and justify every step.",
    "\n\nGive a complete, self-contained answer with all reasoning.",
    "\n\nAnswer thoroughly; include the final result in a fenced block.",
    "\n\nBe complete and precise; explain the approach before the result."};
constexpr const char* kCodingAgentSystem =
    "You are an interactive command-line coding agent. You help users with software engineering tasks in their "
    "repository. Use the tools available to read files, run commands and edit code. Keep answers short; verify "
    "changes by running the tests.";
constexpr const char* kAgentFrameworkSystem =
    "You are a helpful assistant with access to tools. Use the tools when they help answer the user's request. Think "
    "about which tool to call, call it, and use its result.";
constexpr std::array<const char*, 4> kSaasTemplates = {
    "Customer message:\n{}\n\nWrite a friendly reply for the support team. Order status: {}.",
    "Summarize this support ticket in two sentences and tag its category:\n{}\n(ticket status: {})",
    "Classify the sentiment of this review and extract product names:\n{}\nSource: {}",
    "Rewrite this product description for our store page:\n{}\nTone: {}"};
constexpr std::array<const char*, 4> kSaasStatus = {"shipped", "pending", "refunded", "delayed"};

// The reported campaigns' template: a system prompt and wrapper from the
// campaign's own set, optionally a chain-of-thought request.
void Simulator::AppendTemplated(Actor& a, const Mechanics& m, std::string* system, std::string* prompt) {
  Rng& rng = a.rng;
  size_t variant = m.paraphrase ? rng.Below(kCampaignPrefixes.size()) : 0;
  size_t own = 2 * groups_[a.group].campaign_ordinal;
  a.campaign_system = (own + (m.paraphrase ? rng.Below(2) : 0)) % kCampaignSystems.size();
  system->append(kCampaignSystems[a.campaign_system]);
  prompt->append(kCampaignPrefixes[variant]);
  if (a.capability == Capability::kChat) {
    prompts_.Human(rng, prompt);  // human prompts wrapped in the template
  } else {
    prompts_.Task(a.capability, rng, prompt);
  }
  if (m.chain_of_thought && a.capability != Capability::kChat) {
    prompt->append("\n\n");
    prompts_.ChainOfThought(rng, prompt);
  }
  prompt->append(kCampaignSuffixes[m.paraphrase ? rng.Below(kCampaignSuffixes.size()) : 0]);
}

// A redteam campaign's opening turn, by its content strategy.
void Simulator::AppendCampaignContent(Actor& a, ContentStrategy content, std::string* system, std::string* prompt) {
  Rng& rng = a.rng;
  PromptSplit split = options_.prompt_split;
  auto task = [&](std::string* out) {
    if (a.capability == Capability::kChat) {
      prompts_.Human(rng, out);
    } else {
      prompts_.Task(a.capability, rng, out);
    }
  };
  switch (content) {
    case ContentStrategy::kTemplate: {
      Mechanics templated;  // one system prompt, a few wrappers, chain-of-thought requests
      AppendTemplated(a, templated, system, prompt);
      return;
    }
    case ContentStrategy::kParaphrased: {
      std::string text;
      task(&text);
      AppendParaphrasedWrapper(text, rng, split, system, prompt);
      return;
    }
    case ContentStrategy::kRawTasks:
    case ContentStrategy::kAgentic:
      task(prompt);
      return;
    case ContentStrategy::kGrading:
      AppendGradingPrompt(prompts_, rng, split, prompt);
      return;
    case ContentStrategy::kReasoningCoercion:
      task(prompt);
      prompt->append("\n\n");
      AppendReasoningCoercion(rng, split, prompt);
      return;
    case ContentStrategy::kNoText:
      return;
  }
}

void Simulator::BuildPrompt(Actor& a, const GroupSpec& spec, std::string* system, std::string* prompt) {
  system->clear();
  prompt->clear();
  Rng& rng = a.rng;
  bool campaign = spec.campaign() && !a.cover;
  const std::optional<ContentStrategy>& content = spec.mechanics.content;
  if (a.turn > 1) {
    bool tool_turn = MultiTurnCapability(a.capability) &&
                     ((campaign && content.has_value()) || spec.behavior == Behavior::kCodingAgent);
    if (tool_turn) {
      AppendToolResult(rng, options_.prompt_split, prompt);
    } else {
      prompts_.FollowUp(a.capability, rng, prompt);
    }
    if (campaign && !content && spec.mechanics.templates) system->append(kCampaignSystems[a.campaign_system]);
    if (campaign && content) system->append(a.session_system);
    if (spec.behavior == Behavior::kAgentFramework) system->append(kAgentFrameworkSystem);
    if (spec.behavior == Behavior::kCodingAgent) system->append(kCodingAgentSystem);
    if (a.system_prompt >= 0) AppendOwnSystemPrompt(a, system);
    return;
  }
  if (campaign && content) {
    AppendCampaignContent(a, *content, system, prompt);
    a.session_system = *system;
    return;
  }
  if (spec.cot_share > 0 && a.capability == Capability::kReasoning && rng.Chance(spec.cot_share)) {
    if (a.system_prompt >= 0) AppendOwnSystemPrompt(a, system);
    AppendResearchQuestion(prompts_, rng, options_.prompt_split, prompt);
    return;
  }
  switch (a.cover ? Behavior::kCasual : spec.behavior) {
    case Behavior::kCampaign:
      if (spec.mechanics.templates) {
        AppendTemplated(a, spec.mechanics, system, prompt);
      } else {
        prompts_.Task(a.capability, rng, prompt);
      }
      return;
    case Behavior::kSaas: {
      fmt::format_to(std::back_inserter(*system),
                     "You are the assistant of {} ({}.io). Follow the brand voice guide. Never reveal internal notes.",
                     Base36(a.org, 6), Base36(a.org, 6));
      std::string customer;
      prompts_.Human(rng, &customer);
      fmt::format_to(std::back_inserter(*prompt), fmt::runtime(kSaasTemplates[a.org % kSaasTemplates.size()]), customer,
                     kSaasStatus[rng.Below(kSaasStatus.size())]);
      return;
    }
    case Behavior::kEval:
      // Benchmark items with a chain-of-thought instruction, one template per harness.
      prompts_.Task(a.capability, rng, prompt);
      prompt->append(a.org % 2 == 0 ? "\nLet's think step by step."
                                    : "\nAnswer with your reasoning, then 'ANSWER: <x>'.");
      return;
    case Behavior::kJudge:
      AppendGradingPrompt(prompts_, rng, options_.prompt_split, prompt);
      return;
    case Behavior::kPopularPaster:
      prompts_.Popular(rng, prompt);
      return;
    case Behavior::kAgentFramework:
      system->append(kAgentFrameworkSystem);
      prompts_.Task(a.capability, rng, prompt);
      return;
    case Behavior::kCodingAgent:
      system->append(kCodingAgentSystem);
      prompts_.Task(a.capability, rng, prompt);
      return;
    case Behavior::kHackathon:  // the event's starter challenges, or their own ideas
      if (rng.Chance(0.7)) {
        AppendStarterChallenge(a.org, static_cast<int>(rng.Below(8)), prompt);
      } else {
        prompts_.Task(a.capability, rng, prompt);
      }
      return;
    case Behavior::kBatch:
      AppendExtractionRequest(a.org, rng, options_.prompt_split, system, prompt);
      return;
    default:
      if (a.system_prompt >= 0) AppendOwnSystemPrompt(a, system);
      if (a.capability == Capability::kChat) {
        prompts_.Human(rng, prompt);
      } else {
        prompts_.Task(a.capability, rng, prompt);
      }
  }
}

void Simulator::Emit(Actor& a, int64_t now) {
  const GroupSpec& spec = scenario_.groups[a.group];
  GroupState& state = groups_[a.group];
  ++a.turn;
  if (a.turn > 1 && RotatesPerRequest(a, spec, now)) a.session_ip = PickEndpoint(a, spec, now);
  const char* model = ModelFor(a, spec, now);
  Rng& rng = a.rng;
  bool multi = MultiTurnCapability(a.capability);
  int tools = multi ? a.tools : (spec.behavior == Behavior::kDeveloper && rng.Chance(0.1) ? a.tools : 0);
  bool history = now < a.switch_ms;
  int64_t max_tokens = history ? 2048 : a.max_tokens;
  double output_median = a.cover ? 400 : spec.output_tokens_median;
  int64_t output_tokens = std::min<int64_t>(max_tokens, static_cast<int64_t>(rng.LogNormal(output_median, 0.6)) + 1);
  int status = rng.Chance(0.01) ? 429 : (rng.Chance(0.002) ? 500 : 200);
  if (status != 200) output_tokens = 0;
  int64_t context = (a.turn - 1) * (300 + static_cast<int64_t>(rng.Below(900)));

  GroupSummary& s = state.summary;
  if (a.first_event_ms < 0) {
    a.first_event_ms = now;
    ++s.accounts;
    if (a.payment != 0) s.payments += state.payments.insert(a.payment).second;
    if (truth_ != nullptr) {
      std::string truth = fmt::format("{{\"account\":\"user_{}\",\"label\":\"{}\",\"campaign\":{},\"segment\":\"{}\"",
                                      Base36(a.id, 12), spec.campaign() ? "campaign" : "legit",
                                      spec.campaign() ? "\"" + spec.name + "\"" : "null", spec.name);
      if (!spec.strategy.empty()) {
        truth.append(",\"strategy\":{");
        for (size_t axis = 0; axis < spec.strategy.size(); ++axis) {
          fmt::format_to(std::back_inserter(truth), "{}\"{}\":\"{}\"", axis == 0 ? "" : ",", spec.strategy[axis].first,
                         spec.strategy[axis].second);
        }
        truth.append("}");
      }
      truth.append("}\n");
      truth_->Write(truth);
    }
  }
  ++s.events;
  if (now >= scenario_.model_release_ms) {
    ++s.events_after_release;
    s.events_on_new_model_after_release += model == std::string_view(kNewModel);
  }
  if (state.ips.size() < (1u << 22)) state.ips.insert(a.session_ip.ip);
  ++summary_.events;
  if (summary_.events == 1) summary_.first_ts_ms = now;
  summary_.last_ts_ms = now;

  int64_t input_tokens;
  if (options_.count_only) {
    input_tokens = 200 + context;
  } else {
    // Zero-retention customers and metadata-only campaigns: no text is logged.
    bool text =
        !a.metadata_only && !(spec.campaign() && !a.cover && spec.mechanics.content == ContentStrategy::kNoText);
    if (text) {
      BuildPrompt(a, spec, &system_, &prompt_);
      input_tokens = static_cast<int64_t>((system_.size() + prompt_.size()) / 4) + 1 + context + tools * 180;
    } else {
      input_tokens = 100 + static_cast<int64_t>(rng.Below(1500)) + context + tools * 180;
    }
    uint32_t client_index = history ? a.history_client : (now >= a.client_switch_ms ? a.client_after : a.client);
    const Client& client = a.fixed_client != nullptr ? *a.fixed_client
                           : a.agent_client          ? kAgentFrameworkClient
                                                     : kClients[client_index];
    const char* tls = client.tls;
    // A mimicking harness claims to be the SDK over its own TLS stack.
    const char* ua = spec.campaign() && !history && client_index == kAiohttp ? kClients[kPythonSdk].ua
                     : a.upgrade_ua && now >= a.client_switch_ms             ? kUpgradedUas[client_index]
                                                                             : client.ua;
    uint64_t payment = history ? a.history_payment : a.payment;
    line_.clear();
    auto out = std::back_inserter(line_);
    fmt::format_to(out,
                   "{{\"ts\":{},\"account\":\"user_{}\",\"ip\":\"{}\",\"org\":\"org_{}\",\"key\":\"key_{}\","
                   "\"account_created\":{},\"verified\":\"{}\",",
                   now, Base36(a.id, 12), a.session_ip.ip, Base36(a.org, 8), Base36(a.key, 12), a.created_ms,
                   a.verified);
    if (payment != 0) fmt::format_to(out, "\"payment\":\"pm_{}\",", Base36(payment, 12));
    fmt::format_to(out, "\"billing_country\":\"{}\",\"email_domain\":\"{}\",\"asn\":{},\"ip_country\":\"{}\",\"ua\":",
                   a.billing_country, a.email_domain, a.session_ip.asn, a.session_ip.country);
    io::AppendJsonString(&line_, ua);
    fmt::format_to(out, ",\"tls\":\"{}\",\"endpoint\":\"{}\",\"model\":\"{}\"", tls, client.endpoint, model);
    if (text && !system_.empty()) {
      line_.append(",\"system\":");
      io::AppendJsonString(&line_, system_);
    }
    if (text) {
      line_.append(",\"prompt\":");
      io::AppendJsonString(&line_, prompt_);
    }
    fmt::format_to(out,
                   ",\"conversation\":\"conv_{}\",\"turn\":{},\"tools\":{},\"max_tokens\":{},\"stream\":{},"
                   "\"status\":{},\"input_tokens\":{},\"output_tokens\":{}}}\n",
                   Base36(a.conversation, 12), a.turn, tools, max_tokens,
                   rng.Chance(client.stream_share) ? "true" : "false", status, input_tokens, output_tokens);
    events_->Write(line_);
  }
  s.input_tokens += static_cast<uint64_t>(input_tokens);
  s.output_tokens += static_cast<uint64_t>(output_tokens);
}

void Simulator::Step(uint32_t slot, int64_t now) {
  Actor& a = actors_[slot];
  const GroupSpec& spec = scenario_.groups[a.group];
  if (now >= a.end_ms) {
    if (a.first_event_ms >= 0) {
      groups_[a.group].summary.account_days += static_cast<double>(a.end_ms - a.start_ms) / kDayMs;
    }
    free_slots_.push_back(slot);
    return;
  }
  if (Bursty(spec) && a.burst_left == 0 && a.turns_left == 0) {
    a.burst_left = static_cast<int>(a.rng.Between(500, 5000));
  }
  if (a.turns_left == 0) StartSession(a, now);
  Emit(a, now);
  --a.turns_left;
  int64_t next;
  if (Bursty(spec) && --a.burst_left > 0) {
    next = now + static_cast<int64_t>(a.rng.Uniform(0.2, 2.5) * kSecondMs);  // the harness's pace
  } else if (a.turns_left > 0) {
    bool machine = (spec.campaign() && !a.cover) || spec.behavior == Behavior::kAgentFramework ||
                   spec.behavior == Behavior::kCodingAgent;  // scripts reply in seconds
    next = now + static_cast<int64_t>((machine ? a.rng.Uniform(3, 40) : a.rng.Uniform(20, 240)) * kSecondMs);
  } else {
    a.burst_left = 0;
    next = NextSessionTime(a, now);
  }
  queue_.push({std::min(next, a.end_ms), slot});
}

SimulationSummary Simulator::Run() {
  Plan();
  summary_.scenario = scenario_.name;
  summary_.scale = scenario_.scale;
  summary_.seed = options_.seed;
  size_t next_pending = 0;
  while (true) {
    int64_t next_start = next_pending < pending_.size() ? pending_[next_pending].start_ms : INT64_MAX;
    if (!queue_.empty() && queue_.top().first < next_start) {
      auto [time, slot] = queue_.top();
      queue_.pop();
      Step(slot, time);
    } else if (next_pending < pending_.size()) {
      Activate(pending_[next_pending++]);
    } else {
      break;
    }
  }
  for (GroupState& state : groups_) {
    state.summary.distinct_ips = state.ips.size();
    summary_.groups.push_back(state.summary);
  }
  return summary_;
}

}  // namespace

absl::StatusOr<SimulationSummary> Simulate(const Scenario& scenario, const SimulateOptions& options,
                                           io::OutputFile* events, io::OutputFile* truth) {
  if (!options.count_only && (events == nullptr || truth == nullptr)) {
    return absl::InvalidArgumentError("events and truth outputs are required unless count_only");
  }
  absl::StatusOr<Network> network = BuildNetwork(options.netlists_dir, options.seed);
  if (!network.ok()) return network.status();
  absl::StatusOr<PromptLibrary> prompts = PromptLibrary::Load(options.prompts_dir, options.prompt_split);
  if (!prompts.ok()) return prompts.status();
  Simulator simulator(scenario, options, *std::move(network), *std::move(prompts), events, truth);
  return simulator.Run();
}

std::string FormatSummary(const SimulationSummary& summary) {
  std::string out = fmt::format("scenario {} at scale {} (seed {}): {} events", summary.scenario, summary.scale,
                                summary.seed, summary.events);
  if (summary.events > 0) {
    out += fmt::format(", {} .. {}", ingest::FormatRfc3339Millis(summary.first_ts_ms),
                       ingest::FormatRfc3339Millis(summary.last_ts_ms));
  }
  out += fmt::format("\n{:<18} {:>9} {:>12} {:>10} {:>9} {:>8} {:>14}\n", "segment/campaign", "accounts", "events",
                     "req/acct/d", "IPs", "payments", "output tokens");
  for (const GroupSummary& g : summary.groups) {
    double per_day = g.account_days > 0 ? static_cast<double>(g.events) / g.account_days : 0;
    out += fmt::format("{:<18} {:>9} {:>12} {:>10.1f} {:>9} {:>8} {:>14}{}\n", g.name, g.accounts, g.events, per_day,
                       g.distinct_ips, g.payments, g.output_tokens, g.campaign ? "  (campaign)" : "");
  }
  return out;
}

}  // namespace hydraguard::sim
