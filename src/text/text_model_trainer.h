// Training and held-back evaluation of TextModel (text/text_model.h).
//
// Training is plain stochastic gradient descent on the logistic (binary
// heads) and softmax (capability) losses, over the hashed features of
// text/internal/text_features.h, with classes weighted to balance, a fixed
// number of epochs and a seeded shuffle: the same examples and options give
// the same model file, byte for byte. Each example may leave any head
// unlabelled (-1); that head then does not learn from it.
//
//   std::vector<LabelledText> examples = ...;
//   absl::StatusOr<TextModel> model = TrainTextModel(examples, TrainOptions{}, "trained on ...");
//   TextModelReport report = EvaluateTextModel(*model, held_back);
//
// Thread-safety: pure functions.
#ifndef HYDRAGUARD_TEXT_TEXT_MODEL_TRAINER_H_
#define HYDRAGUARD_TEXT_TEXT_MODEL_TRAINER_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "text/text_model.h"

namespace hydraguard::text {

struct LabelledText {
  std::string prompt, system;
  int tools = 0;
  int capability = -1;  // a Capability, or -1: not labelled
  int reasoning = -1;   // 1 asks for a reasoning trace, 0 does not, -1 not labelled
  int dataset = -1;     // 1 dataset-style task, 0 written by a person for their need, -1 not labelled
  double weight = 1;    // how much the example counts in training (> 0)
  std::string source;   // where it comes from ("sim:code", "pool:human", ...): for reports only
};

struct TrainOptions {
  int bucket_bits = 16;
  int epochs = 8;
  double learning_rate = 0.4;  // decays as learning_rate / (1 + epoch)
  uint64_t seed = 1;           // the shuffle of the examples in each epoch, and the dropout
  // Each feature of an example is left out of a training step with this
  // probability (a fresh draw every epoch): the model cannot rest on the one
  // phrase that always comes with a class, so wording never seen in training
  // still finds the other features of its kind.
  double feature_dropout = 0.3;
  // Weight decay of the features an example has, per step.
  double l2 = 1e-4;
};

// REQUIRES: 10 <= options.bucket_bits <= 24. Fails when a head has no
// example of one of its classes (binary heads) or no labelled example at all.
absl::StatusOr<TextModel> TrainTextModel(std::span<const LabelledText> examples, const TrainOptions& options,
                                         std::string metadata);

// Precision, recall and F1 of one class on labelled examples.
struct ClassQuality {
  std::string name;
  uint32_t support = 0;    // examples labelled this class
  uint32_t predicted = 0;  // examples predicted this class
  uint32_t correct = 0;    // both
  double precision() const { return predicted == 0 ? 0 : static_cast<double>(correct) / predicted; }
  double recall() const { return support == 0 ? 0 : static_cast<double>(correct) / support; }
  double f1() const {
    double p = precision(), r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }
};

struct TextModelReport {
  std::vector<ClassQuality> capability;  // one per capability with support or predictions
  ClassQuality reasoning, dataset;       // the positive class of each binary head
  uint32_t examples = 0, not_covered = 0;
  std::map<std::string, uint32_t> not_covered_by_source;  // LabelledText::source -> count
  double capability_macro_f1() const;                     // over classes with support
};

// Scores `classify` on `examples`: each head on the examples labelled for it.
// An example the classifier reports as not covered counts as predicted
// negative (binary heads) and as no class (capability).
TextModelReport EvaluateClassifier(std::span<const LabelledText> examples,
                                   const std::function<Classification(const LabelledText&)>& classify);

// A Markdown table of `model`'s per-class precision, recall and F1 beside
// `baseline`'s (the cue-phrase classifier on the same examples).
std::string FormatTextModelReport(const TextModelReport& model, const TextModelReport& baseline);

}  // namespace hydraguard::text

#endif  // HYDRAGUARD_TEXT_TEXT_MODEL_TRAINER_H_
