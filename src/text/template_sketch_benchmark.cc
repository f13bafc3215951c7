#include <benchmark/benchmark.h>

#include <string>

#include "text/template_sketch.h"

namespace hydraguard::text {
namespace {

void BM_SketchPrompt(benchmark::State& state) {
  std::string text;
  while (text.size() < static_cast<size_t>(state.range(0))) {
    text += "Write a Python function that parses the CSV file at path 42 and returns rows; explain each step. ";
  }
  text.resize(static_cast<size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(TemplateSketch::Of(text));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SketchPrompt)->Arg(200)->Arg(1000)->Arg(4096);

void BM_Similarity(benchmark::State& state) {
  TemplateSketch a = TemplateSketch::Of("Task: write a Go function that merges two lists. Think step by step.");
  TemplateSketch b = TemplateSketch::Of("Task: write a Rust function that parses dates. Think step by step.");
  for (auto _ : state) benchmark::DoNotOptimize(a.Similarity(b));
}
BENCHMARK(BM_Similarity);

}  // namespace
}  // namespace hydraguard::text
