#include "text/internal/text_features.h"

#include <algorithm>
#include <array>

#include "text/internal/words.h"

namespace hydraguard::text::internal {
namespace {

// Feature namespaces: the same word as a unigram, a prefix or a system word
// must land in different buckets.
enum Namespace : uint64_t { kWord = 1, kBigram, kPrefix, kSuffix, kSystemWord, kStructure };
enum Structure : uint64_t {
  kCodeFence = 1,
  kCodePunctuation,
  kTools,
  kSystem,
  kQuestion,
  kLines,        // + bucket * 64
  kLength = 16,  // + bucket * 64
};

// Function words frequent in English and rare as words of other languages
// written in Latin script ("in", "a", "die", "con" are left out on purpose).
constexpr auto kEnglishWords = [] {
  constexpr std::array<std::string_view, 48> kWords = {
      "the",   "and",  "of",    "to",    "is",    "are", "was",  "that", "this",   "with", "for",   "you",
      "your",  "what", "how",   "why",   "which", "it",  "be",   "can",  "please", "me",   "my",    "i",
      "we",    "our",  "from",  "on",    "not",   "do",  "does", "have", "has",    "will", "would", "should",
      "could", "they", "their", "there", "about", "if",  "or",   "by",   "at",     "each", "write", "explain"};
  std::array<uint64_t, kWords.size()> hashes{};
  for (size_t index = 0; index < kWords.size(); ++index) hashes[index] = WordHash(kWords[index]);
  std::sort(hashes.begin(), hashes.end());
  return hashes;
}();

bool IsEnglishWord(uint64_t hash) { return std::binary_search(kEnglishWords.begin(), kEnglishWords.end(), hash); }

// Function words of the other languages most written in Latin script
// (Spanish, Portuguese, French, Italian, German, Dutch, Turkish, Indonesian),
// none of them an English word.
constexpr auto kForeignWords = [] {
  constexpr std::array<std::string_view, 64> kWords = {
      "el",   "la",    "los", "las", "que",  "del",  "por",  "una",    "para",  "con",  "es",  "como", "pero",
      "não",  "uma",   "os",  "em",  "com",  "les",  "des",  "est",    "une",   "et",   "du",  "pour", "avec",
      "dans", "sur",   "qui", "il",  "di",   "che",  "non",  "per",    "della", "sono", "und", "der",  "das",
      "ist",  "nicht", "mit", "sie", "den",  "ein",  "eine", "zu",     "ich",   "het",  "een", "van",  "niet",
      "zijn", "bir",   "ve",  "bu",  "için", "yang", "dan",  "dengan", "tidak", "ini"};
  std::array<uint64_t, kWords.size()> hashes{};
  for (size_t index = 0; index < kWords.size(); ++index) hashes[index] = WordHash(kWords[index]);
  std::sort(hashes.begin(), hashes.end());
  return hashes;
}();

bool IsForeignWord(uint64_t hash) { return std::binary_search(kForeignWords.begin(), kForeignWords.end(), hash); }

int Bucket(size_t value) {  // 0, 1, 2-3, 4-7, ... (log2 buckets, capped)
  int bucket = 0;
  while (value > 0 && bucket < 12) {
    value >>= 1;
    ++bucket;
  }
  return bucket;
}

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

TextStats ExtractFeatures(std::string_view prompt, std::string_view system, int tools,
                          std::vector<uint64_t>* features) {
  features->clear();
  TextStats stats;
  prompt = prompt.substr(0, std::min(prompt.size(), kMaxPromptBytes));
  system = system.substr(0, std::min(system.size(), kMaxSystemBytes));
  uint64_t previous = 0;
  ForEachWord(prompt, [&](const Word& word) {
    features->push_back(Mix(kWord, word.hash));
    features->push_back(Mix(Mix(kBigram, previous), word.hash));
    previous = word.hash;
    if (word.number) return;
    if (word.bytes >= 6) {
      features->push_back(Mix(kPrefix, word.prefix_hash));
      features->push_back(Mix(kSuffix, word.last4));
    }
    ++stats.words;
    stats.letter_bytes += word.bytes;
    stats.non_ascii_bytes += word.non_ascii;
    stats.english_words += IsEnglishWord(word.hash);
    stats.foreign_words += IsForeignWord(word.hash);
  });
  ForEachWord(system, [&](const Word& word) { features->push_back(Mix(kSystemWord, word.hash)); });

  size_t lines = 1 + static_cast<size_t>(std::count(prompt.begin(), prompt.end(), '\n'));
  size_t punctuation = 0;
  for (char c : prompt) punctuation += c == '{' || c == '}' || c == ';' || c == '(' || c == ')' || c == '=';
  bool fence = prompt.find("```") != std::string_view::npos;
  stats.code_like = fence || punctuation >= 3 * lines;
  auto structure = [&](uint64_t id) { features->push_back(Mix(kStructure, id)); };
  if (fence) structure(kCodeFence);
  if (stats.code_like) structure(kCodePunctuation);
  if (tools > 0) structure(kTools);
  if (!system.empty()) structure(kSystem);
  if (prompt.find('?') != std::string_view::npos) structure(kQuestion);
  structure(kLines + static_cast<uint64_t>(Bucket(lines)) * 64);
  structure(kLength + static_cast<uint64_t>(Bucket(prompt.size())) * 64);
  return stats;
}

}  // namespace hydraguard::text::internal
