#include "text/text_model.h"

#include <zstd.h>

#include <cassert>
#include <cmath>
#include <cstring>

#include "fmt/format.h"
#include "io/read_file.h"
#include "text/internal/text_features.h"

namespace hydraguard::text {
namespace {

constexpr std::string_view kMagic = "HGTEXT01";
constexpr int kCompressionLevel = 19;

template <typename T>
void Put(std::string* out, const T& value) {
  out->append(reinterpret_cast<const char*>(&value), sizeof(T));
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  template <typename T>
  bool Get(T* value) {
    if (bytes_.size() < sizeof(T)) return false;
    std::memcpy(value, bytes_.data(), sizeof(T));
    bytes_.remove_prefix(sizeof(T));
    return true;
  }
  bool GetBytes(size_t size, std::string_view* out) {
    if (bytes_.size() < size) return false;
    *out = bytes_.substr(0, size);
    bytes_.remove_prefix(size);
    return true;
  }
  size_t left() const { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

}  // namespace

TextModel::TextModel(int bucket_bits, std::array<float, kTextModelOutputs> bias,
                     std::array<float, kTextModelOutputs> scale, std::vector<int8_t> weights, std::string metadata)
    : bucket_bits_(bucket_bits),
      bias_(bias),
      scale_(scale),
      weights_(std::move(weights)),
      metadata_(std::move(metadata)) {
  assert(bucket_bits_ >= 10 && bucket_bits_ <= 24);
  assert(weights_.size() == (size_t{1} << bucket_bits_) * kTextModelOutputs);
}

absl::StatusOr<TextModel> TextModel::Load(const std::string& path) {
  absl::StatusOr<std::string> contents = io::ReadFile(path);
  if (!contents.ok()) return contents.status();
  return Parse(*contents, path);
}

absl::StatusOr<TextModel> TextModel::Parse(std::string_view compressed, std::string_view name) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(fmt::format("{}: not a hydraguard text model: {}", name, why));
  };
  unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR) return bad("not zstd-compressed");
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size > (size_t{1} << 30)) return bad("no or implausible content size");
  std::string bytes(size, '\0');
  size_t got = ZSTD_decompress(bytes.data(), bytes.size(), compressed.data(), compressed.size());
  if (ZSTD_isError(got) || got != size) return bad(fmt::format("zstd: {}", ZSTD_getErrorName(got)));

  Reader reader(bytes);
  std::string_view magic;
  if (!reader.GetBytes(kMagic.size(), &magic) || magic != kMagic) return bad("wrong magic (expected HGTEXT01)");
  uint32_t bits = 0, outputs = 0;
  if (!reader.Get(&bits) || !reader.Get(&outputs)) return bad("truncated header");
  if (bits < 10 || bits > 24) return bad(fmt::format("bucket bits {} outside [10, 24]", bits));
  if (outputs != kTextModelOutputs) {
    return bad(fmt::format("{} outputs, this build expects {}", outputs, kTextModelOutputs));
  }
  std::array<float, kTextModelOutputs> bias{}, scale{};
  for (float& value : bias)
    if (!reader.Get(&value) || !std::isfinite(value)) return bad("truncated or non-finite bias");
  for (float& value : scale)
    if (!reader.Get(&value) || !std::isfinite(value) || value < 0) return bad("truncated or invalid scale");
  std::vector<int8_t> weights((size_t{1} << bits) * kTextModelOutputs);
  std::string_view weight_bytes;
  if (!reader.GetBytes(weights.size(), &weight_bytes)) return bad("truncated weights");
  std::memcpy(weights.data(), weight_bytes.data(), weights.size());
  uint32_t metadata_size = 0;
  std::string_view metadata;
  if (!reader.Get(&metadata_size) || !reader.GetBytes(metadata_size, &metadata)) return bad("truncated metadata");
  if (reader.left() != 0) return bad(fmt::format("{} bytes after the metadata", reader.left()));
  return TextModel(static_cast<int>(bits), bias, scale, std::move(weights), std::string(metadata));
}

std::string TextModel::Serialize() const {
  std::string bytes(kMagic);
  Put(&bytes, static_cast<uint32_t>(bucket_bits_));
  Put(&bytes, static_cast<uint32_t>(kTextModelOutputs));
  for (float value : bias_) Put(&bytes, value);
  for (float value : scale_) Put(&bytes, value);
  bytes.append(reinterpret_cast<const char*>(weights_.data()), weights_.size());
  Put(&bytes, static_cast<uint32_t>(metadata_.size()));
  bytes += metadata_;
  std::string compressed(ZSTD_compressBound(bytes.size()), '\0');
  size_t size = ZSTD_compress(compressed.data(), compressed.size(), bytes.data(), bytes.size(), kCompressionLevel);
  assert(!ZSTD_isError(size));  // the bound is always enough
  compressed.resize(size);
  return compressed;
}

TextScores TextModel::Score(std::string_view prompt, std::string_view system, int tools) const {
  TextScores scores;
  std::array<int32_t, kTextModelOutputs> sums{};
  size_t count = 0;
  const int8_t* weights = weights_.data();
  internal::TextStats stats = internal::ForEachFeature(prompt, system, tools, [&](uint64_t feature) {
    const int8_t* row = weights + internal::FeatureBucket(feature, bucket_bits_) * kTextModelOutputs;
    const int32_t sign = internal::FeatureNegative(feature) ? -1 : 1;
    for (int output = 0; output < kTextModelOutputs; ++output) sums[output] += sign * row[output];
    ++count;
  });
  if (!internal::CoveredLanguage(stats)) return scores;
  scores.covered = true;
  float value = internal::FeatureValue(count);
  std::array<float, kTextModelOutputs> logits;
  for (int output = 0; output < kTextModelOutputs; ++output) {
    logits[output] = bias_[output] + scale_[output] * value * static_cast<float>(sums[output]);
  }
  float top = logits[0];
  for (int capability = 1; capability < kCapabilityCount; ++capability) top = std::max(top, logits[capability]);
  float total = 0;
  for (int capability = 0; capability < kCapabilityCount; ++capability) {
    scores.capability[capability] = std::exp(logits[capability] - top);
    total += scores.capability[capability];
  }
  for (float& probability : scores.capability) probability /= total;
  scores.reasoning = 1.0f / (1.0f + std::exp(-logits[kReasoningOutput]));
  scores.dataset = 1.0f / (1.0f + std::exp(-logits[kDatasetOutput]));
  return scores;
}

Classification TextModel::Classify(std::string_view prompt, std::string_view system, int tools) const {
  TextScores scores = Score(prompt, system, tools);
  Classification result;
  result.covered = scores.covered;
  if (!scores.covered) return result;
  int best = 0;
  for (int capability = 1; capability < kCapabilityCount; ++capability) {
    if (scores.capability[capability] > scores.capability[best]) best = capability;
  }
  result.capability = static_cast<Capability>(best);
  result.elicits_reasoning = scores.reasoning >= 0.5f;
  result.dataset_task = scores.dataset >= 0.5f;
  return result;
}

}  // namespace hydraguard::text
