#include "text/template_sketch.h"

#include <xxhash.h>

#include <bit>
#include <limits>

#include "text/internal/words.h"

namespace hydraguard::text {
namespace {

using internal::Mix;

constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();

}  // namespace

TemplateSketch TemplateSketch::Of(std::string_view text) {
  TemplateSketch sketch;
  sketch.values_.fill(kEmpty);
  if (text.size() > kMaxSketchBytes) text = text.substr(0, kMaxSketchBytes);
  uint64_t previous2 = 0, previous1 = 0;
  uint32_t tokens = 0;
  // One strong mix per shingle, over the rotated word hashes.
  auto add_shingle = [&sketch](uint64_t shingle) {
    uint64_t hash = Mix(shingle, 0x5ca1ab1e);
    uint32_t bin = static_cast<uint32_t>(hash >> 58);  // top 6 bits: one of 64 bins
    uint32_t value = static_cast<uint32_t>(hash);
    if (value < sketch.values_[bin]) sketch.values_[bin] = value;
    ++sketch.shingles_;
  };
  std::array<uint64_t, 2> first_tokens{};
  internal::ForEachWord(text, [&](const internal::Word& word) {
    uint64_t token = word.hash;
    if (tokens < 2) first_tokens[tokens] = token;
    ++tokens;
    if (tokens >= 3) add_shingle(std::rotl(previous2, 42) ^ std::rotl(previous1, 21) ^ token);
    previous2 = previous1;
    previous1 = token;
  });
  if (tokens > 0 && tokens < 3) {  // short texts: their words
    for (uint32_t index = 0; index < tokens; ++index) add_shingle(first_tokens[index]);
  }
  if (sketch.shingles_ == 0) {
    sketch.values_.fill(0);
    return sketch;
  }
  // Densification: an empty bin borrows the value of the next non-empty bin
  // (circularly), salted by the distance, so that empty bins stay comparable
  // between sketches of short texts.
  std::array<uint32_t, kSketchSize> filled = sketch.values_;
  for (int bin = 0; bin < kSketchSize; ++bin) {
    if (sketch.values_[bin] != kEmpty) continue;
    for (int step = 1; step < kSketchSize; ++step) {
      uint32_t donor = sketch.values_[(bin + step) % kSketchSize];
      if (donor != kEmpty) {
        filled[bin] = static_cast<uint32_t>(Mix(donor, static_cast<uint64_t>(step)));
        break;
      }
    }
  }
  sketch.values_ = filled;
  return sketch;
}

double TemplateSketch::Similarity(const TemplateSketch& other) const {
  if (empty() || other.empty()) return empty() && other.empty() ? 1.0 : 0.0;
  int equal = 0;
  for (int bin = 0; bin < kSketchSize; ++bin) equal += values_[bin] == other.values_[bin];
  return static_cast<double>(equal) / kSketchSize;
}

std::array<uint64_t, kLshBands> TemplateSketch::BandKeys() const {
  constexpr int kRows = kSketchSize / kLshBands;
  std::array<uint64_t, kLshBands> keys;
  for (int band = 0; band < kLshBands; ++band) {
    keys[band] =
        XXH3_64bits_withSeed(values_.data() + band * kRows, kRows * sizeof(uint32_t), static_cast<uint64_t>(band));
  }
  return keys;
}

}  // namespace hydraguard::text
