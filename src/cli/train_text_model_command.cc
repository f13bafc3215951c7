// hydraguard train-text-model: fits the text models (text/text_model.h) on the
// tune half of the simulator's text and the prompt pools plus hand-written
// examples, writes the model file, and scores it and the cue-phrase
// classifier on the eval half (held back: never trained on).
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/engine_options.h"
#include "fmt/format.h"
#include "io/output_file.h"
#include "sim/text_corpus.h"
#include "text/capability.h"
#include "text/text_model.h"
#include "text/text_model_trainer.h"

namespace hydraguard::cli {
namespace {

struct TrainArgs {
  std::string prompts, out, report, score_on, score_model;
  std::vector<std::string> examples;  // each file weighs as `examples_kinds` generated kinds
  double examples_kinds = 8;
  int per_kind = 600;
  int cross_validate = 0;
  sim::PromptSplit score_split = sim::PromptSplit::kEval;
  uint64_t seed = 1;
  text::TrainOptions train;
};

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "hydraguard train-text-model: %s\n", std::string(status.message()).c_str());
  return kExitIoError;
}

// Prints, and writes to --report, the per-class table of `classify` on
// `examples` beside the cue phrases'.
int PrintReport(const TrainArgs& args, std::span<const text::LabelledText> examples,
                const std::function<text::Classification(const text::LabelledText&)>& classify) {
  text::TextModelReport model = text::EvaluateClassifier(examples, classify);
  text::TextModelReport cues = text::EvaluateClassifier(examples, [](const text::LabelledText& example) {
    return text::ClassifyRequest(example.prompt, example.system, example.tools);
  });
  std::string report = text::FormatTextModelReport(model, cues);
  std::fputs(report.c_str(), stdout);
  if (!args.report.empty()) {
    if (absl::Status written = io::WriteFile(args.report, report); !written.ok()) return Fail(written);
  }
  return kExitOk;
}

// K-fold cross-validation over the hand-written examples (the tune split's
// generated and pool texts always train): how well wording from outside the
// simulator is read by a model that never saw it. Development choices are
// made on this, never on the eval split.
int CrossValidate(const TrainArgs& args, const std::vector<text::LabelledText>& tune, size_t generated) {
  size_t written = tune.size() - generated;
  if (written < static_cast<size_t>(args.cross_validate)) {
    return Fail(absl::InvalidArgumentError("--cross-validate needs at least K hand-written --examples"));
  }
  std::span<const text::LabelledText> held(tune.data() + generated, written);
  std::vector<text::Classification> predicted(written);
  for (int fold = 0; fold < args.cross_validate; ++fold) {
    std::vector<text::LabelledText> train(tune.begin(), tune.begin() + static_cast<std::ptrdiff_t>(generated));
    for (size_t index = 0; index < written; ++index) {
      if (static_cast<int>(index % args.cross_validate) != fold) train.push_back(held[index]);
    }
    absl::StatusOr<text::TextModel> model = text::TrainTextModel(train, args.train, "");
    if (!model.ok()) return Fail(model.status());
    for (size_t index = fold; index < written; index += args.cross_validate) {
      predicted[index] = model->Classify(held[index].prompt, held[index].system, held[index].tools);
    }
  }
  return PrintReport(args, held, [&](const text::LabelledText& example) { return predicted[&example - held.data()]; });
}

// Scores a model on the eval split (or --score-on) next to the cue phrases.
int ScoreModel(const TrainArgs& args, const text::TextModel& model) {
  absl::StatusOr<std::vector<text::LabelledText>> eval =
      args.score_on.empty() ? sim::BuildTextCorpus({args.score_split, args.prompts, args.seed + 1, args.per_kind})
                            : sim::ReadLabelledTexts(args.score_on);
  if (!eval.ok()) return Fail(eval.status());
  return PrintReport(args, *eval, [&](const text::LabelledText& example) {
    return model.Classify(example.prompt, example.system, example.tools);
  });
}

int RunTrain(const TrainArgs& args) {
  auto fail = Fail;
  if (!args.score_model.empty()) {
    std::optional<text::TextModel> loaded;
    absl::StatusOr<const text::TextModel*> model = ChooseTextModel(args.score_model, &loaded);
    if (!model.ok()) return fail(model.status());
    if (*model == nullptr) return fail(absl::InvalidArgumentError("--score-model: 'shipped' or a model file"));
    return ScoreModel(args, **model);
  }
  absl::StatusOr<std::vector<text::LabelledText>> tune =
      sim::BuildTextCorpus({sim::PromptSplit::kTune, args.prompts, args.seed, args.per_kind});
  if (!tune.ok()) return fail(tune.status());
  size_t generated = tune->size();
  for (const std::string& path : args.examples) {
    absl::StatusOr<std::vector<text::LabelledText>> written = sim::ReadLabelledTexts(path);
    if (!written.ok()) return fail(written.status());
    if (written->empty()) return fail(absl::InvalidArgumentError(path + ": no examples"));
    // Each hand-written set weighs as much as `examples_kinds` generated
    // kinds: it is wording that no generator of ours produced.
    for (text::LabelledText& example : *written) {
      example.weight = args.examples_kinds * args.per_kind / written->size();
    }
    tune->insert(tune->end(), written->begin(), written->end());
  }
  if (args.cross_validate > 0) return CrossValidate(args, *tune, generated);
  // The metadata names the inputs by role, not by path, so that the same
  // inputs give the same bytes wherever they are.
  std::string metadata = fmt::format(
      "hydraguard text model: trained on the tune split, {} generated and pool texts ({} per generated kind, "
      "seed {}, prompt pools: {}) and {} hand-written examples in {} file(s), each weighing as {} kinds; {} epochs, "
      "learning rate {}, shuffle seed {}, 2^{} buckets",
      generated, args.per_kind, args.seed, args.prompts.empty() ? "none" : "yes", tune->size() - generated,
      args.examples.size(), args.examples_kinds, args.train.epochs, args.train.learning_rate, args.train.seed,
      args.train.bucket_bits);
  absl::StatusOr<text::TextModel> model = text::TrainTextModel(*tune, args.train, metadata);
  if (!model.ok()) return fail(model.status());
  if (absl::Status written = io::WriteFile(args.out, model->Serialize()); !written.ok()) {
    return fail(written);
  }
  std::fprintf(stderr, "hydraguard train-text-model: %zu training texts -> %s\n", tune->size(), args.out.c_str());
  return ScoreModel(args, *model);
}

}  // namespace

void RegisterTrainTextModelCommand(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* command =
      app.add_subcommand("train-text-model", "Train the text models on the tune split, score them on the eval split");
  command->add_option("--out", args->out, "Model file to write (required unless --cross-validate or --score-model)");
  command->add_option("--prompts", args->prompts, "Prompt pools directory (human, popular, distill .jsonl)");
  command->add_option("--examples", args->examples,
                      "Hand-written labelled examples (JSONL); repeat for several files, each weighing as "
                      "--examples-kinds generated kinds");
  command->add_option("--report", args->report, "Also write the scoring report (Markdown) here");
  command
      ->add_option("--examples-kinds", args->examples_kinds, "How many generated kinds each --examples file weighs as")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 100.0));
  command->add_option("--score-on", args->score_on,
                      "Score on these labelled examples (JSONL) instead of the eval split: for choices made "
                      "while developing, which must never look at the eval split");
  command
      ->add_option("--score-split", args->score_split,
                   "The split scored: eval (default; what is reported) or tune (what may be looked at while "
                   "developing)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, sim::PromptSplit>{{"eval", sim::PromptSplit::kEval},
                                                                                  {"tune", sim::PromptSplit::kTune}}));
  command->add_option("--score-model", args->score_model,
                      "Only score this model file ('shipped': the one compiled in) on the eval split");
  command
      ->add_option("--cross-validate", args->cross_validate,
                   "Only score: K-fold cross-validation over the --examples (nothing written)")
      ->check(CLI::Range(2, 100));
  command->add_option("--l2", args->train.l2, "Weight decay")->capture_default_str();
  command->add_option("--dropout", args->train.feature_dropout, "Feature dropout while training")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.9));
  command->add_option("--per-kind", args->per_kind, "Generated texts per kind")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  command->add_option("--seed", args->seed, "Seed of the generated texts")->capture_default_str();
  command->add_option("--epochs", args->train.epochs, "Training epochs")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  command->add_option("--bucket-bits", args->train.bucket_bits, "log2 of the hashed feature buckets")
      ->capture_default_str()
      ->check(CLI::Range(10, 24));
  command->callback([args, exit_code] {
    if (args->out.empty() && args->cross_validate == 0 && args->score_model.empty()) {
      throw CLI::RequiredError("--out");
    }
    *exit_code = RunTrain(*args);
  });
}

}  // namespace hydraguard::cli
