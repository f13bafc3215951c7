// Hashed features of a request's text, shared by the text model's inference
// (text_model.cc) and its training (text_model_trainer.cc) so both see
// exactly the same inputs.
//
// Features, each a 64-bit hash (the model maps it to a bucket and a sign):
//   - lower-cased words (letters, apostrophes and bytes >= 0x80); every number
//     is one token, so "12 apples" and "7 apples" look alike;
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
//   std::vector<uint64_t> features;
//   TextStats stats = internal::ExtractFeatures(prompt, system, tools, &features);
//
// Thread-safety: pure functions.
#ifndef HYDRAGUARD_TEXT_INTERNAL_TEXT_FEATURES_H_
#define HYDRAGUARD_TEXT_INTERNAL_TEXT_FEATURES_H_

#include <cmath>
#include <cstdint>
#include <string_view>
#include <vector>

namespace hydraguard::text::internal {

inline constexpr size_t kMaxPromptBytes = 4096;
inline constexpr size_t kMaxSystemBytes = 1024;

// What the language check (TextModel::Covers) needs, counted while the
// features are extracted.
struct TextStats {
  uint32_t words = 0;            // words of the prompt (numbers excluded)
  uint32_t english_words = 0;    // of them, common English function words
  uint32_t foreign_words = 0;    // function words of other Latin-script languages
  uint32_t letter_bytes = 0;     // ASCII letters and bytes >= 0x80
  uint32_t non_ascii_bytes = 0;  // bytes >= 0x80 inside words
  bool code_like = false;        // a code fence, or several of {}();= per line
};

// Clears `features` and fills it with the request's feature hashes (a hash
// may repeat: a word said twice counts twice).
// The value of each feature in a request with `count` features (1/sqrt:
// long and short requests weigh alike).
inline float FeatureValue(size_t count) { return count == 0 ? 0.0f : 1.0f / std::sqrt(static_cast<float>(count)); }

// Whether the text is in a language the models cover (English): not mostly
// non-ASCII letters (another script), and not with more function words of
// another Latin-script language than English ones. Code, machine output and
// short texts are covered.
bool CoveredLanguage(const TextStats& stats);

TextStats ExtractFeatures(std::string_view prompt, std::string_view system, int tools, std::vector<uint64_t>* features);

}  // namespace hydraguard::text::internal

#endif  // HYDRAGUARD_TEXT_INTERNAL_TEXT_FEATURES_H_
