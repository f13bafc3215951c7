#include "text/internal/text_features.h"

#include <algorithm>
#include <array>

namespace hydraguard::text::internal {
namespace {

constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
constexpr uint64_t kFnvPrime = 0x100000001b3ull;

// Feature namespaces: the same word as a unigram, a prefix or a system word
// must land in different buckets.
enum Namespace : uint64_t { kWord = 1, kBigram, kPrefix, kSuffix, kSystemWord, kStructure };
enum Structure : uint64_t {
  kCodeFence = 1,
  kCodePunctuation,
  kTools,
  kSystem,
  kQuestion,
  kLines,        // + bucket
  kLength = 16,  // + bucket
};

constexpr uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr uint64_t kNumberToken = 0x6e756d6265727321ull;

constexpr uint64_t Fnv(std::string_view word) {
  uint64_t hash = kFnvOffset;
  for (char c : word) hash = (hash ^ static_cast<unsigned char>(c)) * kFnvPrime;
  return hash;
}

// Function words frequent in English and rare as words of other languages
// written in Latin script ("in", "a", "die", "con" are left out on purpose).
constexpr auto kEnglishWords = [] {
  constexpr std::array<std::string_view, 48> kWords = {
      "the",   "and",  "of",    "to",    "is",    "are", "was",  "that", "this",   "with", "for",   "you",
      "your",  "what", "how",   "why",   "which", "it",  "be",   "can",  "please", "me",   "my",    "i",
      "we",    "our",  "from",  "on",    "not",   "do",  "does", "have", "has",    "will", "would", "should",
      "could", "they", "their", "there", "about", "if",  "or",   "by",   "at",     "each", "write", "explain"};
  std::array<uint64_t, kWords.size()> hashes{};
  for (size_t index = 0; index < kWords.size(); ++index) hashes[index] = Fnv(kWords[index]);
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
  for (size_t index = 0; index < kWords.size(); ++index) hashes[index] = Fnv(kWords[index]);
  std::sort(hashes.begin(), hashes.end());
  return hashes;
}();

bool IsForeignWord(uint64_t hash) { return std::binary_search(kForeignWords.begin(), kForeignWords.end(), hash); }

bool IsWordByte(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '\'' || c >= 0x80; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
unsigned char Lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + 32) : c; }

int Bucket(size_t value) {  // 0, 1, 2-3, 4-7, ... (log2 buckets, capped)
  int bucket = 0;
  while (value > 0 && bucket < 12) {
    value >>= 1;
    ++bucket;
  }
  return bucket;
}

// Calls emit(word_hash, prefix_hash_or_0, suffix_hash_or_0, is_number) for
// each token of `text`.
template <typename Emit>
void ForEachWord(std::string_view text, TextStats* stats, Emit emit) {
  size_t pos = 0;
  while (pos < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[pos]);
    if (IsDigit(c)) {
      while (pos < text.size() &&
             (IsDigit(static_cast<unsigned char>(text[pos])) || text[pos] == '.' || text[pos] == ',')) {
        ++pos;
      }
      emit(kNumberToken, 0, 0, true);
    } else if (IsWordByte(c) && c != '\'') {
      size_t start = pos;
      uint64_t hash = kFnvOffset, prefix = 0;
      uint32_t last4 = 0;
      while (pos < text.size() && IsWordByte(static_cast<unsigned char>(text[pos]))) {
        unsigned char byte = Lower(static_cast<unsigned char>(text[pos]));
        stats->non_ascii_bytes += byte >= 0x80;
        hash = (hash ^ byte) * kFnvPrime;
        last4 = last4 << 8 | byte;
        ++pos;
        if (pos - start == 5) prefix = hash;
      }
      stats->letter_bytes += static_cast<uint32_t>(pos - start);
      bool long_word = pos - start >= 6;
      emit(hash, long_word ? prefix : 0, long_word ? Mix(last4, 0x5u) : 0, false);
    } else {
      ++pos;
    }
  }
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
  ForEachWord(prompt, &stats, [&](uint64_t word, uint64_t prefix, uint64_t suffix, bool number) {
    features->push_back(Mix(kWord, word));
    features->push_back(Mix(Mix(kBigram, previous), word));
    if (prefix != 0) features->push_back(Mix(kPrefix, prefix));
    if (suffix != 0) features->push_back(Mix(kSuffix, suffix));
    previous = word;
    if (!number) {
      ++stats.words;
      stats.english_words += IsEnglishWord(word);
      stats.foreign_words += IsForeignWord(word);
    }
  });
  TextStats system_stats;
  ForEachWord(system, &system_stats,
              [&](uint64_t word, uint64_t, uint64_t, bool) { features->push_back(Mix(kSystemWord, word)); });

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
