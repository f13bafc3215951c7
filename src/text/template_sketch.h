// TemplateSketch: a 64-value MinHash of a prompt's shape, so that requests
// built from one template with different slot values look alike, and
// unrelated requests do not.
//
//   TemplateSketch a = TemplateSketch::Of("Task: write a Go function that merges two lists. Think step by step.");
//   TemplateSketch b = TemplateSketch::Of("Task: write a Rust function that parses dates. Think step by step.");
//   double similarity = a.Similarity(b);      // estimated Jaccard of word 3-grams
//   std::array<uint64_t, kLshBands> keys = a.BandKeys();  // equal keys: candidate pair
//
// Normalization: ASCII letters lower-cased, every number becomes one symbol,
// punctuation and whitespace separate words; non-ASCII bytes stay part of
// words (works for any script). Shingles are word 3-grams (1-grams for texts
// of fewer than three words). The sketch is one-permutation MinHash with
// densification (one hash per shingle, not 64); BENCHMARKS.md has its speed.
//
// Only the first kMaxSketchBytes of a text are read: templates show in the
// frame, and the cost must not grow with pasted documents.
//
// Thread-safety: a value type; Of() is a pure function.
#ifndef HYDRAGUARD_TEXT_TEMPLATE_SKETCH_H_
#define HYDRAGUARD_TEXT_TEMPLATE_SKETCH_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hydraguard::text {

inline constexpr int kSketchSize = 64;
inline constexpr int kLshBands = 16;  // of kSketchSize / kLshBands = 4 rows each
inline constexpr size_t kMaxSketchBytes = 4096;

class TemplateSketch {
 public:
  static TemplateSketch Of(std::string_view text);

  // Estimated Jaccard similarity of the two shingle sets, in [0, 1]. Two
  // empty texts are identical (1).
  double Similarity(const TemplateSketch& other) const;
  // LSH band keys: two sketches with similarity s share at least one key with
  // probability 1 - (1 - s^4)^16 (0.99 at s = 0.7, 0.05 at s = 0.2).
  std::array<uint64_t, kLshBands> BandKeys() const;
  bool empty() const { return shingles_ == 0; }
  uint32_t shingle_count() const { return shingles_; }
  const std::array<uint32_t, kSketchSize>& values() const { return values_; }

  friend bool operator==(const TemplateSketch&, const TemplateSketch&) = default;

 private:
  std::array<uint32_t, kSketchSize> values_{};
  uint32_t shingles_ = 0;
};

}  // namespace hydraguard::text

#endif  // HYDRAGUARD_TEXT_TEMPLATE_SKETCH_H_
