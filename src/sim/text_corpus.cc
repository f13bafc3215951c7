#include "sim/text_corpus.h"

#include <array>

#include "fmt/format.h"
#include "sim/internal/json_lines.h"
#include "sim/random.h"
#include "sim/redteam_text.h"
#include "simdjson.h"

namespace hydraguard::sim {
namespace {

using text::LabelledText;

constexpr std::array<Capability, 6> kTaskCapabilities = {Capability::kCode,      Capability::kAgentic,
                                                         Capability::kReasoning, Capability::kDataAnalysis,
                                                         Capability::kCreative,  Capability::kComputerUse};

LabelledText Labelled(std::string source, int capability, int reasoning, int dataset) {
  LabelledText example;
  example.source = std::move(source);
  example.capability = capability;
  example.reasoning = reasoning;
  example.dataset = dataset;
  return example;
}

int Index(Capability capability) { return static_cast<int>(capability); }

// The generated kinds: each call appends one labelled text.
void AddGenerated(const PromptLibrary& prompts, const PromptLibrary& builtin, PromptSplit split, int kind, Rng& rng,
                  std::vector<LabelledText>* out) {
  Capability capability = kTaskCapabilities[rng.Below(kTaskCapabilities.size())];
  LabelledText example;
  switch (kind) {
    case 0:  // a bare task
      example = Labelled(fmt::format("sim:task:{}", CapabilityName(capability)), Index(capability), 0, 1);
      prompts.Task(capability, rng, &example.prompt);
      break;
    case 1: {  // a task in a paraphrased instruction wrapper (its clauses may ask for explanations)
      example = Labelled("sim:wrapped", Index(capability), -1, 1);
      std::string task;
      prompts.Task(capability, rng, &task);
      AppendParaphrasedWrapper(task, rng, split, &example.system, &example.prompt);
      break;
    }
    case 2:  // a task with a coerced reasoning trace, before or after it
      example = Labelled("sim:coerced", Index(capability), 1, 1);
      if (rng.Chance(0.5)) {
        prompts.Task(capability, rng, &example.prompt);
        example.prompt += rng.Chance(0.5) ? "\n\n" : " ";
        AppendReasoningCoercion(rng, split, &example.prompt);
      } else {
        AppendReasoningCoercion(rng, split, &example.prompt);
        example.prompt += "\n\n";
        prompts.Task(capability, rng, &example.prompt);
      }
      break;
    case 3:  // a task with a stock chain-of-thought request
      example = Labelled("sim:stock_cot", Index(capability), 1, 1);
      prompts.Task(capability, rng, &example.prompt);
      example.prompt += ' ';
      prompts.ChainOfThought(rng, &example.prompt);
      break;
    case 4:
      example = Labelled("sim:grading", Index(Capability::kRubric), 0, 1);
      AppendGradingPrompt(prompts, rng, split, &example.prompt);
      break;
    case 5:
      example = Labelled("sim:tool_result", Index(Capability::kAgentic), 0, -1);
      AppendToolResult(rng, split, &example.prompt);
      example.tools = rng.Chance(0.5) ? static_cast<int>(rng.Between(1, 8)) : 0;
      break;
    case 6:  // honest researchers: chain of thought on reasoning questions
      example = Labelled("sim:research", Index(Capability::kReasoning), 1, -1);
      AppendResearchQuestion(prompts, rng, split, &example.prompt);
      break;
    case 7:  // a person's chat
      example = Labelled("sim:chat", Index(Capability::kChat), 0, 0);
      builtin.Human(rng, &example.prompt);
      break;
    case 8:  // a person's chat asking for the reasoning
      example = Labelled("sim:chat_cot", Index(Capability::kChat), 1, 0);
      builtin.Human(rng, &example.prompt);
      example.prompt += ' ';
      prompts.ChainOfThought(rng, &example.prompt);
      break;
    case 9:  // homework pasted by hackathon participants
      example = Labelled("sim:challenge", Index(Capability::kCode), 0, -1);
      AppendStarterChallenge(rng.Below(1000), static_cast<int>(rng.Below(8)), &example.prompt);
      break;
    default:  // a batch customer's extraction request
      example = Labelled("sim:extraction", -1, 0, -1);
      AppendExtractionRequest(rng.Below(1000), rng, split, &example.system, &example.prompt);
      break;
  }
  out->push_back(std::move(example));
}
constexpr int kGeneratedKinds = 11;

// Labels of a pool file's lines by source.
LabelledText PoolLabels(std::string_view file, std::string_view source) {
  std::string name = fmt::format("pool:{}", source.empty() ? file : source);
  if (source == "codealpaca" || source.starts_with("gpteacher-codegen"))
    return Labelled(name, Index(Capability::kCode), 0, 1);
  if (source == "gpteacher-roleplay") return Labelled(name, Index(Capability::kCreative), 0, 1);
  if (file == "distill.jsonl") return Labelled(name, -1, 0, 1);
  if (file == "popular.jsonl") return Labelled(name, Index(Capability::kChat), 0, 0);
  return Labelled(name, -1, 0, 0);  // people's requests: any capability
}

}  // namespace

absl::StatusOr<std::vector<LabelledText>> BuildTextCorpus(const TextCorpusOptions& options) {
  if (options.split == PromptSplit::kAll) {
    return absl::InvalidArgumentError("a text corpus is one half: split tune or eval");
  }
  absl::StatusOr<PromptLibrary> prompts = PromptLibrary::Load(options.prompt_dir, options.split);
  if (!prompts.ok()) return prompts.status();
  absl::StatusOr<PromptLibrary> builtin = PromptLibrary::Load("", options.split);
  if (!builtin.ok()) return builtin.status();
  std::vector<LabelledText> corpus;
  Rng rng(Rng::Mix(options.seed, static_cast<uint64_t>(options.split)));
  for (int kind = 0; kind < kGeneratedKinds; ++kind) {
    for (int count = 0; count < options.per_kind; ++count) {
      AddGenerated(*prompts, *builtin, options.split, kind, rng, &corpus);
    }
  }
  if (options.prompt_dir.empty()) return corpus;
  for (std::string_view file : {"human.jsonl", "popular.jsonl", "distill.jsonl"}) {
    absl::StatusOr<std::vector<PoolText>> pool =
        ReadPromptPool(fmt::format("{}/{}", options.prompt_dir, file), options.split);
    if (!pool.ok()) return pool.status();
    for (PoolText& line : *pool) {
      LabelledText example = PoolLabels(file, line.source);
      example.prompt = std::move(line.text);
      corpus.push_back(std::move(example));
    }
  }
  return corpus;
}

absl::StatusOr<std::vector<LabelledText>> ReadLabelledTexts(const std::string& path) {
  std::vector<LabelledText> examples;
  absl::Status status = internal::ForEachJsonLine(path, [&](size_t line, internal::JsonDocument document) {
    auto bad = [&](std::string_view field, std::string_view why) {
      return absl::InvalidArgumentError(fmt::format("{}:{}: {}: {}", path, line, field, why));
    };
    simdjson::dom::object object;
    if (document.get(object) != simdjson::SUCCESS) return bad("line", "not a JSON object");
    LabelledText example;
    example.source = fmt::format("{}:{}", path, line);
    std::string_view text;
    if (object["text"].get_string().get(text) != simdjson::SUCCESS || text.empty()) {
      return bad("text", "missing, empty or not a string");
    }
    example.prompt = std::string(text);
    for (auto field : object) {
      std::string_view key = field.key;
      if (key == "text") continue;
      if (key == "system") {
        std::string_view system;
        if (field.value.get_string().get(system) != simdjson::SUCCESS) return bad(key, "not a string");
        example.system = std::string(system);
      } else if (key == "capability") {
        std::string_view name;
        if (field.value.get_string().get(name) != simdjson::SUCCESS) return bad(key, "not a string");
        for (int index = 0; index < text::kCapabilityCount; ++index) {
          if (CapabilityName(static_cast<Capability>(index)) == name) example.capability = index;
        }
        if (example.capability < 0) return bad(key, fmt::format("unknown capability \"{}\"", name));
      } else if (key == "reasoning" || key == "dataset" || key == "tools") {
        int64_t value = 0;
        if (field.value.get_int64().get(value) != simdjson::SUCCESS) return bad(key, "not an integer");
        if (key == "tools") {
          if (value < 0 || value > 1000) return bad(key, "outside [0, 1000]");
          example.tools = static_cast<int>(value);
        } else {
          if (value != 0 && value != 1) return bad(key, "must be 0 or 1");
          (key == "reasoning" ? example.reasoning : example.dataset) = static_cast<int>(value);
        }
      } else {
        return bad(key, "unknown field (text, system, tools, capability, reasoning, dataset)");
      }
    }
    examples.push_back(std::move(example));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return examples;
}

}  // namespace hydraguard::sim
