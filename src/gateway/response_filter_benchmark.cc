// SseFilter on a realistic Anthropic stream (~200 events: a thinking block
// then a text block), fed in 4 KiB reads as from a socket, with and without
// stripping, against a plain copy of the same bytes (the floor).
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include "gateway/response_filter.h"
#include "testing/upstream_stub.h"

namespace hydraguard::gateway {
namespace {

constexpr size_t kReadSize = 4096;

std::string RealisticStream() {
  testing::UpstreamStubOptions options;
  options.thinking.clear();
  for (int i = 0; i < 80; ++i) options.thinking += "Considering the user's question, step " + std::to_string(i) + ". ";
  options.text.clear();
  for (int i = 0; i < 110; ++i) options.text += "Here is part " + std::to_string(i) + " of the answer. ";
  options.thinking_deltas = 80;
  options.text_deltas = 110;
  std::string stream;
  for (const std::string& event : testing::UpstreamStub::AnthropicEvents(options)) stream += event;
  return stream;
}

void BM_SseFilter(benchmark::State& state) {
  const std::string stream = RealisticStream();
  const bool strip = state.range(0) != 0;
  std::string out;
  out.reserve(stream.size());
  for (auto _ : state) {
    SseFilter filter(ApiKind::kAnthropic, strip);
    out.clear();
    for (size_t at = 0; at < stream.size(); at += kReadSize) {
      filter.Feed(std::string_view(stream).substr(at, kReadSize), &out);
    }
    filter.Finish(&out);
    benchmark::DoNotOptimize(out.data());
    benchmark::DoNotOptimize(filter.usage());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(stream.size()));
  size_t events = 0;
  for (size_t at = 0; (at = stream.find("\n\n", at)) != std::string::npos; at += 2) ++events;
  state.counters["events"] = static_cast<double>(events);
}
BENCHMARK(BM_SseFilter)->Arg(0)->Arg(1)->ArgName("strip");

void BM_Memcpy(benchmark::State& state) {
  const std::string stream = RealisticStream();
  std::string out;
  out.reserve(stream.size());
  for (auto _ : state) {
    out.clear();
    for (size_t at = 0; at < stream.size(); at += kReadSize) {
      out.append(std::string_view(stream).substr(at, kReadSize));
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(stream.size()));
}
BENCHMARK(BM_Memcpy);

}  // namespace
}  // namespace hydraguard::gateway
