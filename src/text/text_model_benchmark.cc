// Reading one request: the shipped text model against the cue phrases it
// replaces, per prompt size; and parsing the shipped model (start-up cost).
#include <benchmark/benchmark.h>

#include <string>

#include "text/capability.h"
#include "text/text_model.h"

namespace hydraguard::text {
namespace {

std::string Prompt(size_t bytes) {
  std::string text;
  while (text.size() < bytes) {
    text += "Write a Python function that parses the CSV file at path 42 and returns rows; explain each step. ";
  }
  text.resize(bytes);
  return text;
}

void BM_TextModelClassify(benchmark::State& state) {
  std::string text = Prompt(static_cast<size_t>(state.range(0)));
  const TextModel& model = TextModel::Shipped();
  for (auto _ : state) benchmark::DoNotOptimize(model.Classify(text, "", 0));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TextModelClassify)->Arg(200)->Arg(1000)->Arg(4096);

void BM_CuePhrasesClassify(benchmark::State& state) {
  std::string text = Prompt(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(ClassifyRequest(text, "", 0));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_CuePhrasesClassify)->Arg(200)->Arg(1000)->Arg(4096);

void BM_ParseShippedModel(benchmark::State& state) {
  std::string bytes = TextModel::Shipped().Serialize();
  for (auto _ : state) benchmark::DoNotOptimize(TextModel::Parse(bytes, "shipped"));
}
BENCHMARK(BM_ParseShippedModel)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hydraguard::text
