// The words of a text as the text layer reads them, shared by the template
// sketch (template_sketch.cc) and the text models' features
// (internal/text_features.cc): a word is a run of ASCII letters and bytes
// >= 0x80, lower-cased and hashed as it is scanned (FNV-1a, no copy); a
// number (digits with their '.' and ',') is one token whatever its value;
// everything else separates words.
//
//   ForEachWord(text, [](const Word& word) { use(word.hash); });
//
// Thread-safety: pure functions.
#ifndef HYDRAGUARD_TEXT_INTERNAL_WORDS_H_
#define HYDRAGUARD_TEXT_INTERNAL_WORDS_H_

#include <cstdint>
#include <string_view>

namespace hydraguard::text::internal {

inline constexpr uint64_t kFnvOffset = 0xcbf29ce484222325ull;
inline constexpr uint64_t kFnvPrime = 0x100000001b3ull;
inline constexpr uint64_t kNumberToken = 0x6e756d6265727321ull;  // every number hashes alike

// A strong 64-bit mix of two values (for n-grams and namespaces).
constexpr uint64_t Mix(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The FNV-1a hash ForEachWord gives `word` (REQUIRES: lower-case letters).
constexpr uint64_t WordHash(std::string_view word) {
  uint64_t hash = kFnvOffset;
  for (char c : word) hash = (hash ^ static_cast<unsigned char>(c)) * kFnvPrime;
  return hash;
}

struct Word {
  uint64_t hash = 0;         // kNumberToken for a number
  uint64_t prefix_hash = 0;  // hash of the first 5 bytes (0 when shorter)
  uint32_t last4 = 0;        // the last 4 bytes, lower-cased, packed
  uint32_t bytes = 0;
  uint32_t non_ascii = 0;  // bytes >= 0x80
  bool number = false;
};

inline bool IsWordByte(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80; }
inline bool IsDigitByte(unsigned char c) { return c >= '0' && c <= '9'; }

template <typename Emit>
void ForEachWord(std::string_view text, Emit emit) {
  size_t pos = 0;
  while (pos < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[pos]);
    if (IsDigitByte(c)) {
      while (pos < text.size() &&
             (IsDigitByte(static_cast<unsigned char>(text[pos])) || text[pos] == '.' || text[pos] == ',')) {
        ++pos;
      }
      Word number;
      number.hash = kNumberToken;
      number.number = true;
      emit(number);
    } else if (IsWordByte(c)) {
      Word word;
      word.hash = kFnvOffset;
      size_t start = pos;
      while (pos < text.size() && IsWordByte(static_cast<unsigned char>(text[pos]))) {
        unsigned char byte = static_cast<unsigned char>(text[pos]);
        if (byte >= 'A' && byte <= 'Z') byte = static_cast<unsigned char>(byte + 32);
        word.non_ascii += byte >= 0x80;
        word.hash = (word.hash ^ byte) * kFnvPrime;
        word.last4 = word.last4 << 8 | byte;
        ++pos;
        if (pos - start == 5) word.prefix_hash = word.hash;
      }
      word.bytes = static_cast<uint32_t>(pos - start);
      emit(word);
    } else {
      ++pos;
    }
  }
}

}  // namespace hydraguard::text::internal

#endif  // HYDRAGUARD_TEXT_INTERNAL_WORDS_H_
