// TextModel: small trained linear models over a request's text, shipped as a
// data file and loaded at start. Three heads share one hashed feature space
// (text/internal/text_features.h):
//   - capability: softmax over the eight capabilities of text/capability.h;
//   - reasoning: does the request ask for (or coerce) a written-out
//     reasoning trace, in whatever words;
//   - dataset task: is it a dataset-style task (machine-generated or written
//     to cover a capability) rather than a request a person wrote for their
//     own need.
// The models cover English. Text in another language is reported as not
// covered (Classification::covered false), never guessed into a class.
//
//   absl::StatusOr<TextModel> model = TextModel::Load("models/text_model.hgtm");
//   text::Classification c = model->Classify(prompt, system, tools);
//   if (c.covered && c.elicits_reasoning) ...
//   const TextModel& shipped = TextModel::Shipped();  // compiled into the binary
//
// File format (zstd-compressed, little-endian): "HGTEXT01", uint32 bucket
// bits, uint32 outputs (10), float bias[10], float scale[10], int8
// weights[2^bits][10] (weight = int8 * scale), uint32 metadata length, the
// metadata (UTF-8: how the file was trained).
//
// Thread-safety: immutable after construction; Classify is safe from any
// number of threads.
#ifndef HYDRAGUARD_TEXT_TEXT_MODEL_H_
#define HYDRAGUARD_TEXT_TEXT_MODEL_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "text/capability.h"

namespace hydraguard::text {

// The model's outputs: the capability logits in Capability order, then the
// two binary heads.
inline constexpr int kReasoningOutput = kCapabilityCount;
inline constexpr int kDatasetOutput = kCapabilityCount + 1;
inline constexpr int kTextModelOutputs = kCapabilityCount + 2;

struct TextScores {
  bool covered = false;                              // false: a language the model does not cover
  std::array<float, kCapabilityCount> capability{};  // probabilities, sum 1 (all 0 when not covered)
  float reasoning = 0;                               // P(asks for a reasoning trace)
  float dataset = 0;                                 // P(dataset-style task)
};

class TextModel {
 public:
  // REQUIRES: 10 <= bucket_bits <= 24; weights.size() == 2^bucket_bits * kTextModelOutputs.
  TextModel(int bucket_bits, std::array<float, kTextModelOutputs> bias, std::array<float, kTextModelOutputs> scale,
            std::vector<int8_t> weights, std::string metadata);

  // Reads a model file written by Serialize(). Errors name the file and what
  // is wrong with it (not zstd, wrong magic, truncated, sizes that disagree).
  static absl::StatusOr<TextModel> Load(const std::string& path);
  // The same from the file's bytes; `name` is used in error messages.
  static absl::StatusOr<TextModel> Parse(std::string_view bytes, std::string_view name);
  // The model shipped in the repository (models/text_model.hgtm), compiled
  // into the binary; parsed on first use. Lives for the whole process.
  static const TextModel& Shipped();

  // The file's bytes (deterministic: the same model gives the same bytes).
  std::string Serialize() const;

  TextScores Score(std::string_view prompt, std::string_view system, int tools) const;
  // Score() turned into decisions: the most probable capability, reasoning
  // and dataset task at probability >= 0.5.
  Classification Classify(std::string_view prompt, std::string_view system, int tools) const;

  int bucket_bits() const { return bucket_bits_; }
  const std::string& metadata() const { return metadata_; }

 private:
  int bucket_bits_;
  std::array<float, kTextModelOutputs> bias_, scale_;
  std::vector<int8_t> weights_;  // [bucket][output]
  std::string metadata_;
};

}  // namespace hydraguard::text

#endif  // HYDRAGUARD_TEXT_TEXT_MODEL_H_
