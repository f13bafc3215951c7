#include "text/text_model_trainer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "fmt/format.h"
#include "text/internal/text_features.h"

namespace hydraguard::text {
namespace {

// Weights beyond this quantile of the non-zero magnitudes of an output are
// clipped when quantized to int8, so that a few large weights do not round
// every small one to zero.
constexpr double kClipQuantile = 0.9995;

uint64_t SplitMix(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// An example's features as (bucket << 1 | negative) entries.
struct Encoded {
  std::vector<uint32_t> entries;
  float value = 0;
};

double Sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

absl::StatusOr<TextModel> TrainTextModel(std::span<const LabelledText> examples, const TrainOptions& options,
                                         std::string metadata) {
  if (options.feature_dropout < 0 || options.feature_dropout >= 1) {
    return absl::InvalidArgumentError(fmt::format("feature dropout {} outside [0, 1)", options.feature_dropout));
  }
  if (options.bucket_bits < 10 || options.bucket_bits > 24) {
    return absl::InvalidArgumentError(fmt::format("bucket bits {} outside [10, 24]", options.bucket_bits));
  }
  // Class weights: every class of a head weighs the same in total.
  std::array<double, kCapabilityCount> capability_count{};
  std::array<double, 2> reasoning_count{}, dataset_count{};
  for (const LabelledText& example : examples) {
    if (example.capability >= kCapabilityCount || example.reasoning > 1 || example.dataset > 1) {
      return absl::InvalidArgumentError(fmt::format("example from {}: a label out of range", example.source));
    }
    if (!(example.weight > 0) || !std::isfinite(example.weight)) {
      return absl::InvalidArgumentError(fmt::format("example from {}: weight must be positive", example.source));
    }
    if (example.capability >= 0) capability_count[example.capability] += example.weight;
    if (example.reasoning >= 0) reasoning_count[example.reasoning] += example.weight;
    if (example.dataset >= 0) dataset_count[example.dataset] += example.weight;
  }
  double capability_total = std::accumulate(capability_count.begin(), capability_count.end(), 0.0);
  int capability_classes = static_cast<int>(
      std::count_if(capability_count.begin(), capability_count.end(), [](double count) { return count > 0; }));
  if (capability_total == 0) return absl::InvalidArgumentError("no example labelled with a capability");
  for (auto [name, counts] : {std::pair{"reasoning", &reasoning_count}, std::pair{"dataset", &dataset_count}}) {
    if ((*counts)[0] == 0 || (*counts)[1] == 0) {
      return absl::InvalidArgumentError(fmt::format("the {} head needs positive and negative examples", name));
    }
  }
  auto binary_weight = [](const std::array<double, 2>& counts, int label) {
    return (counts[0] + counts[1]) / (2 * counts[label]);
  };

  const size_t buckets = size_t{1} << options.bucket_bits;
  std::vector<Encoded> encoded(examples.size());
  std::vector<uint64_t> features;
  for (size_t index = 0; index < examples.size(); ++index) {
    internal::ExtractFeatures(examples[index].prompt, examples[index].system, examples[index].tools, &features);
    encoded[index].value = internal::FeatureValue(features.size());
    encoded[index].entries.reserve(features.size());
    for (uint64_t feature : features) {
      encoded[index].entries.push_back(static_cast<uint32_t>(internal::FeatureBucket(feature, options.bucket_bits))
                                           << 1 |
                                       static_cast<uint32_t>(internal::FeatureNegative(feature)));
    }
  }

  std::vector<double> weights(buckets * kTextModelOutputs, 0.0);
  std::array<double, kTextModelOutputs> bias{};
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  uint64_t rng = options.seed;
  std::array<double, kTextModelOutputs> logits, gradient;
  std::vector<uint32_t> kept;
  for (int epoch = 0; epoch < options.epochs; ++epoch) {
    for (size_t index = order.size(); index > 1; --index) std::swap(order[index - 1], order[SplitMix(&rng) % index]);
    double rate = options.learning_rate / (1 + epoch);
    for (size_t example_idx : order) {
      const LabelledText& example = examples[example_idx];
      const Encoded& x = encoded[example_idx];
      const double value = x.value / (1 - options.feature_dropout);  // inverted dropout: the same sum on average
      kept.clear();
      for (uint32_t entry : x.entries) {
        if (options.feature_dropout <= 0 ||
            static_cast<double>(SplitMix(&rng) >> 11) * 0x1.0p-53 >= options.feature_dropout) {
          kept.push_back(entry);
        }
      }
      logits = bias;
      for (uint32_t entry : kept) {
        const double* row = &weights[(entry >> 1) * kTextModelOutputs];
        double sign = (entry & 1) ? -value : value;
        for (int output = 0; output < kTextModelOutputs; ++output) logits[output] += sign * row[output];
      }
      gradient.fill(0);
      if (example.capability >= 0) {
        double top = *std::max_element(logits.begin(), logits.begin() + kCapabilityCount), total = 0;
        std::array<double, kCapabilityCount> probability;
        for (int capability = 0; capability < kCapabilityCount; ++capability) {
          probability[capability] = std::exp(logits[capability] - top);
          total += probability[capability];
        }
        double class_weight = capability_total / (capability_classes * capability_count[example.capability]);
        for (int capability = 0; capability < kCapabilityCount; ++capability) {
          gradient[capability] =
              class_weight * (probability[capability] / total - (capability == example.capability ? 1.0 : 0.0));
        }
      }
      if (example.reasoning >= 0) {
        gradient[kReasoningOutput] =
            binary_weight(reasoning_count, example.reasoning) * (Sigmoid(logits[kReasoningOutput]) - example.reasoning);
      }
      if (example.dataset >= 0) {
        gradient[kDatasetOutput] =
            binary_weight(dataset_count, example.dataset) * (Sigmoid(logits[kDatasetOutput]) - example.dataset);
      }
      for (double& value_gradient : gradient) value_gradient *= example.weight;
      for (int output = 0; output < kTextModelOutputs; ++output) bias[output] -= rate * gradient[output];
      const double decay = 1 - rate * options.l2;
      for (uint32_t entry : kept) {
        double* row = &weights[(entry >> 1) * kTextModelOutputs];
        double step = rate * ((entry & 1) ? -value : value);
        for (int output = 0; output < kTextModelOutputs; ++output)
          row[output] = row[output] * decay - step * gradient[output];
      }
    }
  }

  // Quantize each output's weights to int8.
  std::array<float, kTextModelOutputs> bias_out{}, scale{};
  std::vector<int8_t> quantized(weights.size());
  std::vector<double> magnitudes;
  for (int output = 0; output < kTextModelOutputs; ++output) {
    bias_out[output] = static_cast<float>(bias[output]);
    magnitudes.clear();
    for (size_t bucket = 0; bucket < buckets; ++bucket) {
      double magnitude = std::abs(weights[bucket * kTextModelOutputs + output]);
      if (magnitude > 0) magnitudes.push_back(magnitude);
    }
    double clip = 0;
    if (!magnitudes.empty()) {
      auto at = magnitudes.begin() + static_cast<std::ptrdiff_t>(kClipQuantile * (magnitudes.size() - 1));
      std::nth_element(magnitudes.begin(), at, magnitudes.end());
      clip = *at;
    }
    scale[output] = static_cast<float>(clip / 127);
    for (size_t bucket = 0; bucket < buckets; ++bucket) {
      double weight = weights[bucket * kTextModelOutputs + output];
      double level = clip == 0 ? 0 : std::clamp(std::round(weight / clip * 127), -127.0, 127.0);
      quantized[bucket * kTextModelOutputs + output] = static_cast<int8_t>(level);
    }
  }
  return TextModel(options.bucket_bits, bias_out, scale, std::move(quantized), std::move(metadata));
}

double TextModelReport::capability_macro_f1() const {
  double sum = 0;
  int classes = 0;
  for (const ClassQuality& quality : capability) {
    if (quality.support == 0) continue;
    sum += quality.f1();
    ++classes;
  }
  return classes == 0 ? 0 : sum / classes;
}

TextModelReport EvaluateClassifier(std::span<const LabelledText> examples,
                                   const std::function<Classification(const LabelledText&)>& classify) {
  TextModelReport report;
  std::array<ClassQuality, kCapabilityCount> capability;
  for (int index = 0; index < kCapabilityCount; ++index) {
    capability[index].name = std::string(CapabilityName(static_cast<Capability>(index)));
  }
  report.reasoning.name = "reasoning_trace";
  report.dataset.name = "dataset_task";
  auto count = [](ClassQuality* quality, bool labelled, bool predicted) {
    quality->support += labelled;
    quality->predicted += predicted;
    quality->correct += labelled && predicted;
  };
  for (const LabelledText& example : examples) {
    Classification c = classify(example);
    ++report.examples;
    if (!c.covered) {
      ++report.not_covered;
      ++report.not_covered_by_source[example.source];
    }
    if (example.capability >= 0) {
      for (int index = 0; index < kCapabilityCount; ++index) {
        count(&capability[index], example.capability == index, c.covered && static_cast<int>(c.capability) == index);
      }
    }
    if (example.reasoning >= 0) count(&report.reasoning, example.reasoning == 1, c.covered && c.elicits_reasoning);
    if (example.dataset >= 0) count(&report.dataset, example.dataset == 1, c.covered && c.dataset_task);
  }
  for (ClassQuality& quality : capability) {
    if (quality.support > 0 || quality.predicted > 0) report.capability.push_back(std::move(quality));
  }
  return report;
}

std::string FormatTextModelReport(const TextModelReport& model, const TextModelReport& baseline) {
  std::string out = fmt::format(
      "| class | support | precision | recall | F1 | cue phrases: precision | recall | F1 |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|\n");
  auto row = [&](const ClassQuality& quality, const ClassQuality* before) {
    out += fmt::format("| {} | {} | {:.3f} | {:.3f} | {:.3f} |", quality.name, quality.support, quality.precision(),
                       quality.recall(), quality.f1());
    if (before != nullptr) {
      out += fmt::format(" {:.3f} | {:.3f} | {:.3f} |\n", before->precision(), before->recall(), before->f1());
    } else {
      out += " | | |\n";
    }
  };
  for (const ClassQuality& quality : model.capability) {
    const ClassQuality* before = nullptr;
    for (const ClassQuality& other : baseline.capability) {
      if (other.name == quality.name) before = &other;
    }
    row(quality, before);
  }
  row(model.reasoning, &baseline.reasoning);
  row(model.dataset, &baseline.dataset);
  out += fmt::format(
      "\nCapability macro-F1: {:.3f} (cue phrases {:.3f}). {} texts, {} reported as a language the "
      "model does not cover.\n",
      model.capability_macro_f1(), baseline.capability_macro_f1(), model.examples, model.not_covered);
  for (const auto& [source, count] : model.not_covered_by_source)
    out += fmt::format("- not covered: {} from {}\n", count, source);
  return out;
}

}  // namespace hydraguard::text
