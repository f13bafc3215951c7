// AccountFeatureTable::Add per event over 50,000 accounts: metadata only
// (/0), with a ~1 KB prompt read by the cue phrases (/1) and by the shipped
// text model (/2).
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "engine/account_features.h"

namespace hydraguard::engine {
namespace {

void BM_AddEvent(benchmark::State& state) {
  bool with_text = state.range(0) != 0;
  const text::TextModel* text_model = state.range(0) == 2 ? &text::TextModel::Shipped() : nullptr;
  std::mt19937_64 rng(1);
  std::string prompt;
  while (prompt.size() < 1000) prompt += "Write a Python function that parses the CSV file and explains each step. ";
  std::vector<ingest::Event> events(4096);
  int64_t ts = 1776816000000;
  for (ingest::Event& event : events) {
    ts += static_cast<int64_t>(rng() % 2000);
    event.ts_ms = ts;
    event.account = static_cast<ingest::Id>(rng() % 50000);
    event.ip = ingest::IpAddress::FromV4(static_cast<uint32_t>(rng()));
    event.present = 0x7;
    event.turn = 1;
    event.present |= 1u << static_cast<int>(ingest::Field::kTurn);
    if (with_text) {
      event.prompt = prompt;
      event.present |= 1u << static_cast<int>(ingest::Field::kPrompt);
    }
  }
  AccountFeatureTable table(nullptr, text_model);
  size_t index = 0;
  for (auto _ : state) table.Add(events[index++ & 4095]);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddEvent)->Arg(0)->Arg(1)->Arg(2);

}  // namespace
}  // namespace hydraguard::engine
