// Engine::Add per event (metadata only, and with a ~1 KB prompt: features,
// classification, template sketch, every link signal's keys) over 50,000
// accounts, Engine::Detect over the state that leaves, and Rescorer::Rescore
// (incremental detection) after a few more events.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/rescorer.h"
#include "fmt/format.h"

namespace hydraguard::engine {
namespace {

constexpr int kAccounts = 50000;

// Events from kAccounts accounts; every 10th account is one of a hydra that
// shares cards (20 per card) and a system prompt.
struct Workload {
  ingest::Interners interners;
  std::vector<ingest::Event> events;
  std::string prompt, system;

  explicit Workload(bool with_text, size_t count) {
    std::mt19937_64 rng(1);
    while (prompt.size() < 1000) prompt += "Write a Python function that parses the CSV file and explains each step. ";
    system = "You are a meticulous expert. Answer every request in full.";
    std::vector<ingest::Id> accounts, payments;
    for (int account = 0; account < kAccounts; ++account) {
      accounts.push_back(interners.account.Intern(fmt::format("a{}", account)));
      bool hydra = account % 10 == 0;
      payments.push_back(
          interners.payment.Intern(hydra ? fmt::format("pm_h{}", account / 200) : fmt::format("pm{}", account)));
    }
    ingest::Id country = interners.country.Intern("US");
    int64_t ts = 1776816000000;
    events.resize(count);
    for (ingest::Event& event : events) {
      ts += static_cast<int64_t>(rng() % 200);
      size_t account = rng() % kAccounts;
      event.ts_ms = ts;
      event.account = accounts[account];
      event.ip = ingest::IpAddress::FromV4(static_cast<uint32_t>(rng() % 200000));
      event.ip_id = interners.ips.InternAddress(event.ip);
      event.ip_prefix_id = interners.ips.InternPrefix(event.ip);
      event.payment = payments[account];
      event.billing_country = event.ip_country = country;
      event.account_created_ms = 1776816000000 - static_cast<int64_t>(account) * 600000;
      event.asn = static_cast<uint32_t>(account % 500);
      event.output_tokens = 1000;
      event.turn = 1;
      for (ingest::Field field :
           {ingest::Field::kTs, ingest::Field::kAccount, ingest::Field::kIp, ingest::Field::kPayment,
            ingest::Field::kBillingCountry, ingest::Field::kIpCountry, ingest::Field::kAccountCreated,
            ingest::Field::kAsn, ingest::Field::kOutputTokens, ingest::Field::kTurn}) {
        event.present |= 1u << static_cast<int>(field);
      }
      if (with_text) {
        event.prompt = prompt;
        if (account % 10 == 0) event.system = system;
        event.present |= 1u << static_cast<int>(ingest::Field::kPrompt);
        if (!event.system.empty()) event.present |= 1u << static_cast<int>(ingest::Field::kSystem);
      }
    }
  }
};

void BM_EngineAdd(benchmark::State& state) {
  Workload workload(state.range(0) != 0, 1 << 16);
  auto engine = Engine::Create({}, nullptr, &workload.interners);
  size_t index = 0;
  for (auto _ : state) (*engine)->Add(workload.events[index++ & 0xFFFF]);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EngineAdd)->Arg(0)->Arg(1);

// Detect over 50,000 accounts after 1M metadata events. One more event is
// added (timer paused) before each Detect(), so that co-active groups, which
// the engine keeps until the log changes, are found every time.
void BM_EngineDetect(benchmark::State& state) {
  Workload workload(false, 1 << 20);
  auto engine = Engine::Create({}, nullptr, &workload.interners);
  for (const ingest::Event& event : workload.events) (*engine)->Add(event);
  size_t campaigns = 0, next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    (*engine)->Add(workload.events[next++ % workload.events.size()]);
    state.ResumeTiming();
    campaigns += (*engine)->Detect().campaigns.size();
  }
  benchmark::DoNotOptimize(campaigns);
  state.SetItemsProcessed(state.iterations() * kAccounts);
  state.SetLabel("items = accounts");
}
BENCHMARK(BM_EngineDetect)->Unit(benchmark::kMillisecond);

// One incremental rescore after state.range(0) more events, over the same
// state as BM_EngineDetect (the events are added with the timer paused).
void BM_Rescore(benchmark::State& state) {
  Workload workload(false, 1 << 20);
  auto engine = Engine::Create({}, nullptr, &workload.interners);
  Rescorer rescorer(engine->get());
  const size_t half = workload.events.size() / 2, step = static_cast<size_t>(state.range(0));
  for (size_t index = 0; index < half; ++index) (*engine)->Add(workload.events[index]);
  rescorer.Rescore();
  size_t next = half, accounts = 0;
  for (auto _ : state) {
    state.PauseTiming();
    if (next + step > workload.events.size()) next = half;  // the same events again: still changes
    for (size_t count = 0; count < step; ++count) (*engine)->Add(workload.events[next++]);
    state.ResumeTiming();
    accounts += rescorer.Rescore().accounts;
  }
  state.SetItemsProcessed(static_cast<int64_t>(accounts));
  state.SetLabel("items = accounts read");
}
BENCHMARK(BM_Rescore)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hydraguard::engine
