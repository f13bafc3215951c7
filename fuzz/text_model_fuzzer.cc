// libFuzzer target: arbitrary bytes as a text model file (--text-model FILE
// is read from wherever the user points it). Parse must refuse or accept,
// never crash; an accepted model must score text and serialize back to a
// file that parses to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "text/text_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace hydraguard::text;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<TextModel> model = TextModel::Parse(input, "fuzz");
  if (!model.ok()) return 0;
  TextScores scores = model->Score("Before answering, write out your reasoning in full.", "", 0);
  if (!(scores.reasoning >= 0 && scores.reasoning <= 1)) __builtin_trap();
  std::string bytes = model->Serialize();
  absl::StatusOr<TextModel> again = TextModel::Parse(bytes, "fuzz");
  if (!again.ok() || again->Serialize() != bytes) __builtin_trap();
  return 0;
}
