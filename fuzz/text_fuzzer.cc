// libFuzzer target: arbitrary bytes as prompt text, through the template
// sketch, the cue-phrase classifier and the shipped text model (all read
// untrusted prompts).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "text/capability.h"
#include "text/template_sketch.h"
#include "text/text_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hydraguard::text;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = size > 0 ? data[0] % (size + 1) : 0;  // prompt / system split
  std::string_view prompt = input.substr(0, split), system = input.substr(split);
  TemplateSketch sketch = TemplateSketch::Of(prompt);
  TemplateSketch other = TemplateSketch::Of(system);
  double similarity = sketch.Similarity(other);
  if (similarity < 0 || similarity > 1) __builtin_trap();
  if (sketch.Similarity(sketch) != 1.0) __builtin_trap();
  (void)sketch.BandKeys();
  Classification c = ClassifyRequest(prompt, system, size > 1 ? data[1] % 3 : 0);
  if (CapabilityName(c.capability) == "unknown") __builtin_trap();
  TextScores scores = TextModel::Shipped().Score(prompt, system, size > 1 ? data[1] % 3 : 0);
  float total = 0;
  for (float probability : scores.capability) {
    if (!(probability >= 0 && probability <= 1)) __builtin_trap();
    total += probability;
  }
  if (scores.covered && (total < 0.999f || total > 1.001f)) __builtin_trap();
  if (!(scores.reasoning >= 0 && scores.reasoning <= 1 && scores.dataset >= 0 && scores.dataset <= 1)) __builtin_trap();
  return 0;
}
