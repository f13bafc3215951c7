// Micro-benchmarks of the ingest hot paths, per call. The whole-file figure
// (and its ratio to raw simdjson) is bench/ingest_file_benchmark.cc.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "fmt/format.h"
#include "ingest/event_parser.h"
#include "ingest/interner.h"
#include "ingest/ip_address.h"
#include "ingest/timestamp.h"
#include "testing/simdjson_walk.h"

namespace hydraguard::ingest {
namespace {

void BM_ParseIpv4(benchmark::State& state) {
  std::vector<std::string> ips;
  for (int i = 0; i < 1024; ++i)
    ips.push_back(fmt::format("{}.{}.{}.{}", i % 223 + 1, i * 7 % 256, i * 13 % 256, i % 254 + 1));
  size_t index = 0;
  for (auto _ : state) benchmark::DoNotOptimize(IpAddress::Parse(ips[index++ & 1023]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseIpv4);

void BM_ParseIpv6(benchmark::State& state) {
  std::vector<std::string> ips;
  for (int i = 0; i < 1024; ++i) ips.push_back(fmt::format("2001:db8:{:x}:{:x}::{:x}", i, i * 7, i * 13 + 1));
  size_t index = 0;
  for (auto _ : state) benchmark::DoNotOptimize(IpAddress::Parse(ips[index++ & 1023]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseIpv6);

void BM_ParseRfc3339(benchmark::State& state) {
  std::string text = "2026-04-22T09:30:15.123+02:00";
  for (auto _ : state) benchmark::DoNotOptimize(ParseRfc3339Millis(text));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseRfc3339);

// Lookups of existing strings in an interner of state.range(0) names.
void BM_InternExisting(benchmark::State& state) {
  StringInterner interner;
  std::vector<std::string> names;
  for (int64_t i = 0; i < state.range(0); ++i) names.push_back(fmt::format("account-{:08}", i * 7919));
  for (const auto& name : names) interner.Intern(name);
  std::mt19937 rng(1);
  std::vector<uint32_t> order(4096);
  for (auto& slot : order) slot = rng() % names.size();
  size_t index = 0;
  for (auto _ : state) benchmark::DoNotOptimize(interner.Intern(names[order[index++ & 4095]]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InternExisting)->Arg(1000)->Arg(100000)->Arg(1000000);

// One typical event line, metadata only or with ~1 KB of prompt text.
std::string EventLine(size_t prompt_bytes) {
  std::string prompt(prompt_bytes, 'w');
  for (size_t i = 0; i < prompt.size(); i += 9) prompt[i] = ' ';
  return fmt::format(
      R"({{"ts":1776816000000,"account":"acct-1234","ip":"203.0.113.9","org":"org-7","key":"key-1","account_created":1700000000000,)"
      R"("verified":"email","payment":"pm-77","billing_country":"US","email_domain":"example.com","asn":64500,"ip_country":"US",)"
      R"("ua":"anthropic-python/0.52.0","tls":"t13d1516h2_8daaf6152771_02713d6af862","endpoint":"/v1/messages",)"
      R"("model":"model-large","prompt":"{}","conversation":"c-1","turn":2,"tools":3,"max_tokens":4096,"stream":true,)"
      R"("status":200,"input_tokens":812,"output_tokens":1500}})",
      prompt);
}

void BM_ParseEventLine(benchmark::State& state) {
  std::string line = EventLine(static_cast<size_t>(state.range(0)));
  std::string buffer = line + std::string(64, ' ');
  Interners interners;
  EventParser parser(&interners);
  Event event;
  ParseError error;
  for (auto _ : state) {
    bool ok = parser.Parse(std::string_view(buffer.data(), line.size()), &event, &error);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(line.size()));
}
BENCHMARK(BM_ParseEventLine)->Arg(0)->Arg(1000);

// Baseline for BM_ParseEventLine: simdjson on-demand reading every value of
// the same line, with no validation or interning.
void BM_RawWalkEventLine(benchmark::State& state) {
  std::string line = EventLine(static_cast<size_t>(state.range(0)));
  std::string buffer = line + std::string(64, ' ');
  simdjson::ondemand::parser parser;
  uint64_t checksum = 0;
  for (auto _ : state) checksum += testing::RawSimdjsonWalk(parser, std::string_view(buffer.data(), line.size()));
  benchmark::DoNotOptimize(checksum);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(line.size()));
}
BENCHMARK(BM_RawWalkEventLine)->Arg(0)->Arg(1000);

}  // namespace
}  // namespace hydraguard::ingest
