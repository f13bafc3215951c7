#include "sim/prompts.h"

#include <array>
#include <fstream>
#include <optional>

#include "fmt/format.h"
#include "sim/internal/append.h"
#include "sim/internal/json_lines.h"
#include "sim/internal/split.h"
#include "simdjson.h"
#include "xxhash.h"

namespace hydraguard::sim {
namespace {

using internal::Of;

using internal::Add;

// Whether a pool text belongs to `split` (by a hash of the text: the same
// text is in the same half whatever file it comes from).
bool InSplit(std::string_view text, PromptSplit split) {
  if (split == PromptSplit::kAll) return true;
  bool tune = (XXH3_64bits(text.data(), text.size()) & 1) == 0;
  return tune == (split == PromptSplit::kTune);
}

constexpr std::array<std::string_view, 12> kLanguages = {"Python", "TypeScript", "Go",     "Rust", "Java", "C++",
                                                         "SQL",    "Bash",       "Kotlin", "Ruby", "C#",   "Swift"};
constexpr std::array<std::string_view, 32> kCodeTasks = {"parses a CSV file and returns the rows as dictionaries",
                                                         "implements an LRU cache with O(1) operations",
                                                         "retries an HTTP request with exponential backoff",
                                                         "validates an email address",
                                                         "merges two sorted lists",
                                                         "computes a moving average over a stream of numbers",
                                                         "flattens a nested dictionary",
                                                         "deduplicates records by key",
                                                         "reads a config file and fills in defaults",
                                                         "implements a token-bucket rate limiter",
                                                         "walks a directory tree and sums file sizes",
                                                         "serializes a binary tree to a string and back",
                                                         "finds the shortest path in a weighted graph",
                                                         "paginates results from a REST API",
                                                         "parses ISO 8601 dates in several time zones",
                                                         "implements a trie with prefix search",
                                                         "batches database inserts in transactions",
                                                         "streams a large file and counts word frequencies",
                                                         "implements a thread-safe queue",
                                                         "diffs two JSON documents",
                                                         "validates a JWT and extracts its claims",
                                                         "converts Markdown headings into a table of contents",
                                                         "implements binary search on a rotated array",
                                                         "schedules jobs with a cron expression",
                                                         "compresses a folder into a zip archive",
                                                         "detects cycles in a linked list",
                                                         "computes the Levenshtein distance of two strings",
                                                         "implements a simple state machine for an order workflow",
                                                         "renders a histogram in the terminal",
                                                         "caches function results with a time-to-live",
                                                         "parses command-line flags with subcommands",
                                                         "implements consistent hashing for a set of servers"};
constexpr std::array<std::string_view, 10> kErrors = {"KeyError",
                                                      "NullPointerException",
                                                      "a segmentation fault",
                                                      "TypeError: undefined is not a function",
                                                      "error E0502 from the borrow checker",
                                                      "a deadlock",
                                                      "an off-by-one error",
                                                      "a race condition",
                                                      "ModuleNotFoundError",
                                                      "a stack overflow"};
constexpr std::array<std::string_view, 16> kAgentGoals = {"find the failing test in the repository and fix it",
                                                          "add a column to the users table with a migration",
                                                          "set up continuous integration for the project",
                                                          "refactor the payment module into smaller services",
                                                          "investigate the latency spike in the checkout service",
                                                          "upgrade the project to the latest framework version",
                                                          "write integration tests for the search endpoint",
                                                          "triage the open bug reports and label them",
                                                          "implement pagination in the admin dashboard",
                                                          "profile the import job and make it twice as fast",
                                                          "add structured logging across the backend",
                                                          "port the CLI from Python to Go",
                                                          "fix the flaky end-to-end tests",
                                                          "add OAuth login to the web app",
                                                          "containerize the application",
                                                          "build a data pipeline that ingests daily exports"};
constexpr std::array<std::string_view, 12> kDatasets = {
    "monthly sales by region", "server response times", "customer churn",     "website sessions",
    "inventory levels",        "survey responses",      "energy consumption", "loan applications",
    "support tickets",         "ad campaign spend",     "student grades",     "delivery times"};
constexpr std::array<std::string_view, 16> kChatTopics = {"a good recipe for a weeknight dinner",
                                                          "how compound interest works",
                                                          "tips for a job interview",
                                                          "what to see in Lisbon in two days",
                                                          "how to fix a leaking tap",
                                                          "the causes of the First World War",
                                                          "how vaccines work",
                                                          "a birthday message for my sister",
                                                          "how to start running",
                                                          "the plot of Hamlet",
                                                          "why the sky is blue",
                                                          "how to negotiate rent",
                                                          "a polite email declining a meeting",
                                                          "the difference between stocks and bonds",
                                                          "how to care for a fiddle-leaf fig",
                                                          "how black holes form"};
constexpr std::array<std::string_view, 8> kCreativeForms = {"poem",     "short story", "song",  "haiku",
                                                            "limerick", "dialogue",    "fable", "speech"};
constexpr std::array<std::string_view, 12> kSubjects = {"the sea at night",  "a robot learning to paint",
                                                        "an old lighthouse", "first snow",
                                                        "a lost key",        "a city waking up",
                                                        "friendship",        "a dragon who fears fire",
                                                        "the last bookshop", "autumn",
                                                        "a long train ride", "a cat that runs a bakery"};
constexpr std::array<std::string_view, 8> kSites = {"the company wiki",  "the bank's website",  "a flight search site",
                                                    "the issue tracker", "the spreadsheet app", "the email client",
                                                    "the cloud console", "an online store"};
constexpr std::array<std::string_view, 8> kComputerActions = {"download last month's invoices",
                                                              "fill in the expense form",
                                                              "find the cheapest flight to Berlin",
                                                              "close all issues labelled duplicate",
                                                              "export the table as CSV",
                                                              "archive emails older than a year",
                                                              "resize the database instance",
                                                              "add the items in the cart to a wishlist"};
constexpr std::array<std::string_view, 10> kCot = {
    "Think step by step.",
    "Show your complete reasoning before the final answer.",
    "Explain your chain of thought in detail, then give the answer.",
    "Before answering, write out every intermediate step of your reasoning.",
    "Reason carefully and verbalize all of your thinking.",
    "Walk through your reasoning step by step in full.",
    "Please think out loud and show all of your work.",
    "Lay out each reasoning step explicitly, then conclude.",
    "Give a detailed, step-by-step derivation.",
    "Describe your full thought process first."};
constexpr std::array<std::string_view, 8> kFollowUps = {"Continue.",
                                                        "That didn't work, the tests still fail. Try again.",
                                                        "Good. Now do the next step.",
                                                        "Can you make it faster?",
                                                        "Explain that part in more detail.",
                                                        "Now add error handling.",
                                                        "The tool returned an error: permission denied. What next?",
                                                        "Looks right. Summarize what you changed."};
// Popular prompts many people paste (written for the simulator, in the style
// of public prompt collections).
constexpr std::array<std::string_view, 20> kPopular = {
    "I want you to act as a Linux terminal. I will type commands and you will reply with what the terminal should "
    "show.",
    "Act as an English translator and improver. Correct my spelling and grammar and make my text more elegant.",
    "I want you to act as an interviewer. I will be the candidate and you will ask me the interview questions.",
    "Act as a travel guide. I will tell you my location and you will suggest places to visit nearby.",
    "I want you to act as a motivational coach. I will give you my goals and you will help me reach them.",
    "Pretend you are a senior software engineer reviewing my code. Be direct and point out every issue.",
    "Act as a storyteller. Come up with entertaining stories that are engaging and imaginative.",
    "I want you to act as a stand-up comedian. Tell me jokes about everyday life.",
    "Act as a personal trainer. Create a weekly workout plan for a beginner.",
    "I want you to act as a Socratic tutor and only answer with questions that lead me to the answer.",
    "Summarize the following text in three bullet points.",
    "Explain this like I'm five.",
    "Act as a career counselor and help me choose between two job offers.",
    "I want you to act as a chef. Suggest a recipe based on the ingredients I have.",
    "Act as a debate opponent and argue against my position, politely.",
    "Rewrite this paragraph to sound more professional.",
    "Act as a SQL expert and optimize my query.",
    "I want you to act as a poet. Write a poem about love and loss.",
    "Act as a startup advisor and critique my business idea.",
    "You are a helpful assistant. Answer as concisely as possible."};

void AppendSnippet(Rng& rng, std::string* out, PromptSplit split) {
  static constexpr std::array<std::string_view, 8> kNames = {"items", "users",  "rows",   "cache",
                                                             "queue", "config", "result", "buffer"};
  std::string_view name = Of(rng, kNames, split);
  fmt::format_to(std::back_inserter(*out),
                 "\n```\ndef process_{}({}):\n    for i in range(len({})):\n        if {}[i] is None:\n            "
                 "continue\n    return {}[{}]\n```\n",
                 name, name, name, name, name, rng.Below(10));
}

}  // namespace

std::optional<PromptSplit> ParsePromptSplit(std::string_view name) {
  if (name == "all") return PromptSplit::kAll;
  if (name == "tune") return PromptSplit::kTune;
  if (name == "eval") return PromptSplit::kEval;
  return std::nullopt;
}

std::string_view PromptSplitName(PromptSplit split) {
  switch (split) {
    case PromptSplit::kAll:
      return "all";
    case PromptSplit::kTune:
      return "tune";
    case PromptSplit::kEval:
      return "eval";
  }
  return "all";
}

absl::StatusOr<std::vector<PoolText>> ReadPromptPool(const std::string& path, PromptSplit split) {
  std::vector<PoolText> texts;
  size_t read = 0;
  absl::Status status = internal::ForEachJsonLine(path, [&](size_t line, internal::JsonDocument document) {
    std::string_view text, source;
    if (auto error = document["text"].get_string().get(text)) {
      return absl::InvalidArgumentError(fmt::format("{}:{}: text: {}", path, line, simdjson::error_message(error)));
    }
    if (document["source"].get_string().get(source) != simdjson::SUCCESS) source = "";
    if (text.empty()) return absl::OkStatus();
    ++read;
    if (InSplit(text, split)) texts.push_back({std::string(text), std::string(source)});
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (read == 0) return absl::InvalidArgumentError(fmt::format("{}: no prompts", path));
  if (texts.empty()) {
    return absl::InvalidArgumentError(fmt::format("{}: no prompts in the {} half", path, PromptSplitName(split)));
  }
  return texts;
}

absl::StatusOr<PromptLibrary> PromptLibrary::Load(const std::string& dir, PromptSplit split) {
  PromptLibrary library;
  library.split_ = split;
  if (dir.empty()) return library;
  for (auto [name, pool] : {std::pair{"human.jsonl", &library.human_}, std::pair{"popular.jsonl", &library.popular_},
                            std::pair{"distill.jsonl", &library.distill_}}) {
    absl::StatusOr<std::vector<PoolText>> texts = ReadPromptPool(dir + "/" + name, split);
    if (!texts.ok()) return texts.status();
    for (PoolText& text : *texts) pool->push_back(std::move(text.text));
  }
  return library;
}

size_t PromptLibrary::popular_count() const {
  if (!popular_.empty()) return popular_.size();
  if (split_ == PromptSplit::kAll) return kPopular.size();
  return split_ == PromptSplit::kTune ? (kPopular.size() + 1) / 2 : kPopular.size() / 2;
}

void PromptLibrary::Task(Capability capability, Rng& rng, std::string* out) const {
  switch (capability) {
    case Capability::kCode:
      if (!distill_.empty() && rng.Chance(0.6)) {
        out->append(distill_[rng.Below(distill_.size())]);
        return;
      }
      switch (rng.Below(4)) {
        case 0:
          Add(out, "Write a {} function that {}.", Of(rng, kLanguages, split_), Of(rng, kCodeTasks, split_));
          break;
        case 1:
          Add(out, "How do I write code in {} that {}?", Of(rng, kLanguages, split_), Of(rng, kCodeTasks, split_));
          break;
        case 2:
          Add(out, "Why does this {} code give me {}?", Of(rng, kLanguages, split_), Of(rng, kErrors, split_));
          AppendSnippet(rng, out, split_);
          break;
        default:
          Add(out, "Implement a {} class that {}, with unit tests.", Of(rng, kLanguages, split_),
              Of(rng, kCodeTasks, split_));
      }
      return;
    case Capability::kAgentic:
      Add(out, "Goal: {}. Use the available tools to inspect the repository, make the changes and verify them.",
          Of(rng, kAgentGoals, split_));
      return;
    case Capability::kReasoning:
      switch (rng.Below(4)) {
        case 0:
          Add(out,
              "A train leaves at {}:00 at {} km/h; another leaves {} hours later at {} km/h on the same track. When "
              "does the second catch up?",
              rng.Between(5, 11), rng.Between(50, 90), rng.Between(1, 3), rng.Between(95, 160));
          break;
        case 1:
          Add(out, "Prove that the sum of the first {} odd numbers is a perfect square.", rng.Between(5, 500));
          break;
        case 2:
          Add(out, "How many ways can {} people sit around a round table if two of them refuse to sit together?",
              rng.Between(5, 12));
          break;
        default:
          Add(out, "If {} machines make {} widgets in {} minutes, how long do {} machines take to make {} widgets?",
              rng.Between(2, 9), rng.Between(2, 9), rng.Between(2, 9), rng.Between(10, 200), rng.Between(10, 200));
      }
      return;
    case Capability::kDataAnalysis: {
      Add(out, "Here is a table of {}:\nperiod,value\n", Of(rng, kDatasets, split_));
      int64_t value = rng.Between(100, 1000);
      for (int row = 0; row < 6; ++row) {
        value += rng.Between(-80, 120);
        Add(out, "{},{}\n", 2020 + row, value);
      }
      Add(out, "Compute the growth rate per period, find outliers and explain the trend.");
      return;
    }
    case Capability::kCreative:
      Add(out, "Write a {} about {}.", Of(rng, kCreativeForms, split_), Of(rng, kSubjects, split_));
      return;
    case Capability::kComputerUse:
      Add(out, "Take a screenshot, open {} in the browser and {}. Report each click.", Of(rng, kSites, split_),
          Of(rng, kComputerActions, split_));
      return;
    case Capability::kRubric:
      Add(out,
          "Grade the answer below from 1 to 10 with this rubric: correctness, completeness, clarity. Score each "
          "criterion, justify it, then give the total.\nQuestion: ");
      Task(Capability::kReasoning, rng, out);
      Add(out, "\nAnswer: The result is {}.", rng.Between(1, 500));
      return;
    case Capability::kChat:
    case Capability::kCount:
      Human(rng, out);
      return;
  }
}

void PromptLibrary::Human(Rng& rng, std::string* out) const {
  if (!human_.empty() && rng.Chance(0.7)) {
    out->append(human_[rng.Below(human_.size())]);
    return;
  }
  static constexpr std::array<std::string_view, 5> kOpeners = {"Can you tell me ", "Please explain ", "I need ",
                                                               "what's ", "Help me with "};
  fmt::format_to(std::back_inserter(*out), "{}{}{}", Of(rng, kOpeners, split_), Of(rng, kChatTopics, split_),
                 rng.Chance(0.5) ? "?" : ", thanks!");
}

void PromptLibrary::Popular(Rng& rng, std::string* out, double rank_skew) const {
  if (!popular_.empty()) {
    out->append(popular_[rng.Skewed(popular_.size(), rank_skew)]);
  } else if (split_ == PromptSplit::kAll) {
    out->append(kPopular[rng.Skewed(kPopular.size(), rank_skew)]);
  } else {
    // The most popular of the half first, as for the whole list.
    size_t parity = split_ == PromptSplit::kTune ? 0 : 1;
    out->append(kPopular[2 * rng.Skewed((kPopular.size() + 1 - parity) / 2, rank_skew) + parity]);
  }
}

void PromptLibrary::ChainOfThought(Rng& rng, std::string* out) const { out->append(Of(rng, kCot, split_)); }

void PromptLibrary::FollowUp(Capability capability, Rng& rng, std::string* out) const {
  if (capability == Capability::kAgentic || capability == Capability::kComputerUse) {
    fmt::format_to(std::back_inserter(*out), "Tool result (exit code {}):\n{} lines of output, {} files changed.\n{}",
                   rng.Chance(0.8) ? 0 : 1, rng.Between(3, 400), rng.Between(0, 12), Of(rng, kFollowUps, split_));
    return;
  }
  out->append(Of(rng, kFollowUps, split_));
}

}  // namespace hydraguard::sim
