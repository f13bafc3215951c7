// Hashed features of a request's text, shared by the text model's inference
// (text_model.cc) and its training (text_model_trainer.cc) so both see
// exactly the same inputs.
//
// Features, each a 64-bit hash (the model maps it to a bucket and a sign):
//   - lower-cased words (internal/words.h: letters and bytes >= 0x80); every
//     number is one token, so "12 apples" and "7 apples" look alike;
//   - word bigrams;
//   - for words of 6 bytes or more, their first 5 and last 4 bytes
//     ("deliberations" -> "delib", "ions"): inflections and compounds of a
//     word share features, which is what lets wording never seen in training
//     still land near its kind;
//   - words of the system prompt, in their own namespace;
//   - structure: a code fence, code punctuation, line and length buckets,
//     tool definitions sent, a system prompt present, a question mark.
// Reads at most kMaxPromptBytes of the prompt and kMaxSystemBytes of the
// system prompt.
//
//   std::vector<uint64_t> features;                      // training: keep them
//   TextStats stats = internal::ExtractFeatures(prompt, system, tools, &features);
//   internal::ForEachFeature(prompt, system, tools, [&](uint64_t feature) { ... });  // inference
//   bool english = internal::CoveredLanguage(stats);
//
// Thread-safety: pure functions.
#ifndef HYDRAGUARD_TEXT_INTERNAL_TEXT_FEATURES_H_
#define HYDRAGUARD_TEXT_INTERNAL_TEXT_FEATURES_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

#include "text/internal/words.h"

namespace hydraguard::text::internal {

inline constexpr size_t kMaxPromptBytes = 4096;
inline constexpr size_t kMaxSystemBytes = 1024;

// What the language check (CoveredLanguage) needs, counted while the
// features are extracted.
struct TextStats {
  uint32_t words = 0;            // words of the prompt (numbers excluded)
  uint32_t english_words = 0;    // of them, common English function words
  uint32_t foreign_words = 0;    // function words of other Latin-script languages
  uint32_t letter_bytes = 0;     // ASCII letters and bytes >= 0x80
  uint32_t non_ascii_bytes = 0;  // bytes >= 0x80 inside words
  bool code_like = false;        // a code fence, or several of {}();= per line
};

// The value of each feature in a request with `count` features (1/sqrt:
// long and short requests weigh alike).
inline float FeatureValue(size_t count) { return count == 0 ? 0.0f : 1.0f / std::sqrt(static_cast<float>(count)); }

// Where a model keeps a feature's weights: the bucket (the hash's top
// `bucket_bits` bits) and the sign they are added with (the lowest bit: set
// means subtracted). Training and inference both map features with these.
inline size_t FeatureBucket(uint64_t feature, int bucket_bits) {
  return static_cast<size_t>(feature >> (64 - bucket_bits));
}
inline bool FeatureNegative(uint64_t feature) { return (feature & 1) != 0; }

// Whether the text is in a language the models cover (English): not mostly
// non-ASCII letters (another script), and not with more function words of
// another Latin-script language than English ones. Code, machine output and
// short texts are covered.
bool CoveredLanguage(const TextStats& stats);

// Calls sink(feature_hash) for each feature of the request (a hash may
// repeat: a word said twice counts twice). Inference sums weights in the
// sink without storing anything; training keeps the hashes.
template <typename Sink>
TextStats ForEachFeature(std::string_view prompt, std::string_view system, int tools, Sink sink);

// Clears `features` and fills it with the request's feature hashes.
TextStats ExtractFeatures(std::string_view prompt, std::string_view system, int tools, std::vector<uint64_t>* features);

// --- Implementation details. ---

// Feature namespaces: the same word as a unigram, a prefix or a system word
// must land in different buckets.
enum FeatureSpace : uint64_t {
  kWordSpace = 1,
  kBigramSpace,
  kPrefixSpace,
  kSuffixSpace,
  kSystemSpace,
  kStructureSpace
};
enum StructureFeature : uint64_t {
  kCodeFence = 1,
  kCodePunctuation,
  kTools,
  kSystem,
  kQuestion,
  kLines,        // + bucket * 64
  kLength = 16,  // + bucket * 64
};

// One multiply per feature (the namespace's is folded at compile time): the
// model takes the bucket from the top bits and the sign from the lowest,
// which the final fold mixes with bit 32.
constexpr uint64_t FeatureHash(uint64_t space, uint64_t value) {
  uint64_t hash = (value ^ (space * 0x9E3779B97F4A7C15ull)) * 0xD6E8FEB86659FD93ull;
  return hash ^ (hash >> 32);
}

// 1: a common English function word; 2: a function word of another
// Latin-script language; 0: neither. Only words of at most 7 bytes can be.
int FunctionWordKind(uint64_t word_hash);

// log2 buckets: 0, 1, 2-3, 4-7, ..., capped at 12.
inline uint64_t LogBucket(size_t value) {
  uint64_t bucket = 0;
  while (value > 0 && bucket < 12) {
    value >>= 1;
    ++bucket;
  }
  return bucket;
}

template <typename Sink>
TextStats ForEachFeature(std::string_view prompt, std::string_view system, int tools, Sink sink) {
  TextStats stats;
  prompt = prompt.substr(0, std::min(prompt.size(), kMaxPromptBytes));
  system = system.substr(0, std::min(system.size(), kMaxSystemBytes));
  uint64_t previous = 0;
  ForEachWord(prompt, [&](const Word& word) {
    sink(FeatureHash(kWordSpace, word.hash));
    sink(FeatureHash(kBigramSpace, previous * 0x9E3779B97F4A7C15ull ^ word.hash));
    previous = word.hash;
    if (word.number) return;
    if (word.bytes >= 6) {
      sink(FeatureHash(kPrefixSpace, word.prefix_hash));
      sink(FeatureHash(kSuffixSpace, word.last4));
    }
    ++stats.words;
    stats.letter_bytes += word.bytes;
    stats.non_ascii_bytes += word.non_ascii;
    if (word.bytes <= 7) {
      int kind = FunctionWordKind(word.hash);
      stats.english_words += kind == 1;
      stats.foreign_words += kind == 2;
    }
  });
  ForEachWord(system, [&](const Word& word) { sink(FeatureHash(kSystemSpace, word.hash)); });

  size_t lines = 1, punctuation = 0;
  for (char c : prompt) {
    lines += c == '\n';
    punctuation += c == '{' || c == '}' || c == ';' || c == '(' || c == ')' || c == '=';
  }
  bool fence = prompt.find("```") != std::string_view::npos;
  stats.code_like = fence || punctuation >= 3 * lines;
  auto structure = [&](uint64_t id) { sink(FeatureHash(kStructureSpace, id)); };
  if (fence) structure(kCodeFence);
  if (stats.code_like) structure(kCodePunctuation);
  if (tools > 0) structure(kTools);
  if (!system.empty()) structure(kSystem);
  if (prompt.find('?') != std::string_view::npos) structure(kQuestion);
  structure(kLines + LogBucket(lines) * 64);
  structure(kLength + LogBucket(prompt.size()) * 64);
  return stats;
}

}  // namespace hydraguard::text::internal

#endif  // HYDRAGUARD_TEXT_INTERNAL_TEXT_FEATURES_H_
