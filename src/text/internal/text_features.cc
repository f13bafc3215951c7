#include "text/internal/text_features.h"

#include <algorithm>
#include <array>

#include "text/internal/words.h"

namespace hydraguard::text::internal {
namespace {

// Function words frequent in English and rare as words of other languages
// written in Latin script ("in", "a", "die", "con" are left out on purpose);
// then function words of the other languages most written in Latin script
// (Spanish, Portuguese, French, Italian, German, Dutch, Turkish, Indonesian),
// none of them an English word. At most 7 bytes each.
constexpr std::array<std::string_view, 48> kEnglishWords = {
    "the",   "and",  "of",    "to",    "is",    "are", "was",  "that", "this",   "with", "for",   "you",
    "your",  "what", "how",   "why",   "which", "it",  "be",   "can",  "please", "me",   "my",    "i",
    "we",    "our",  "from",  "on",    "not",   "do",  "does", "have", "has",    "will", "would", "should",
    "could", "they", "their", "there", "about", "if",  "or",   "by",   "at",     "each", "write", "explain"};
constexpr std::array<std::string_view, 62> kForeignWords = {
    "el",   "la",    "los", "las", "que",  "del",  "por",  "una",    "para",  "con",  "es",  "como", "pero",
    "não",  "uma",   "os",  "em",  "com",  "les",  "des",  "est",    "une",   "et",   "du",  "pour", "avec",
    "dans", "sur",   "qui", "il",  "di",   "che",  "non",  "per",    "della", "sono", "und", "der",  "das",
    "ist",  "nicht", "mit", "sie", "den",  "ein",  "eine", "zu",     "ich",   "het",  "een", "van",  "niet",
    "zijn", "bir",   "ve",  "bu",  "için", "yang", "dan",  "dengan", "tidak", "ini"};

// Both lists as (hash << 2 | kind), sorted: one binary search per short word.
constexpr auto kFunctionWords = [] {
  std::array<uint64_t, kEnglishWords.size() + kForeignWords.size()> tagged{};
  size_t index = 0;
  for (size_t word = 0; word < kEnglishWords.size(); ++word) {
    tagged[index++] = WordHash(kEnglishWords[word]) >> 2 << 2 | 1;
  }
  for (size_t word = 0; word < kForeignWords.size(); ++word) {
    tagged[index++] = WordHash(kForeignWords[word]) >> 2 << 2 | 2;
  }
  std::sort(tagged.begin(), tagged.end());
  return tagged;
}();

}  // namespace

bool CoveredLanguage(const TextStats& stats) {
  if (stats.letter_bytes >= 20 && stats.non_ascii_bytes * 10 > stats.letter_bytes * 3) return false;
  // Another language's function words outnumber English ones and make up a
  // tenth of the words (machine output, code and lists have few of either).
  if (stats.foreign_words > stats.english_words && stats.foreign_words * 10 >= stats.words && stats.words >= 6) {
    return false;
  }
  return true;
}

// A 1,024-bit filter over the function words' hashes: most words are not
// one, and are told so by one bit.
constexpr size_t FilterBit(uint64_t key) { return static_cast<size_t>((key >> 2) & 1023); }
constexpr auto kFunctionWordFilter = [] {
  std::array<uint64_t, 16> bits{};
  for (size_t index = 0; index < kFunctionWords.size(); ++index) {
    size_t bit = FilterBit(kFunctionWords[index]);
    bits[bit / 64] |= uint64_t{1} << (bit % 64);
  }
  return bits;
}();

int FunctionWordKind(uint64_t word_hash) {
  uint64_t key = word_hash >> 2 << 2;
  size_t bit = FilterBit(key);
  if ((kFunctionWordFilter[bit / 64] >> (bit % 64) & 1) == 0) return 0;
  auto found = std::lower_bound(kFunctionWords.begin(), kFunctionWords.end(), key);
  return found != kFunctionWords.end() && (*found >> 2 << 2) == key ? static_cast<int>(*found & 3) : 0;
}

TextStats ExtractFeatures(std::string_view prompt, std::string_view system, int tools,
                          std::vector<uint64_t>* features) {
  features->clear();
  return ForEachFeature(prompt, system, tools, [features](uint64_t feature) { features->push_back(feature); });
}

}  // namespace hydraguard::text::internal
