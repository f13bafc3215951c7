#include "sim/sample_log.h"

#include <array>
#include <random>
#include <string_view>

#include "fmt/format.h"
#include "io/json_writer.h"

namespace hydraguard::sim {
namespace {

constexpr std::array<std::string_view, 48> kWords = {
    "the",    "function", "returns", "a",     "list",      "of",       "values",     "write",    "python",  "code",
    "that",   "reads",    "file",    "and",   "prints",    "each",     "line",       "explain",  "why",     "this",
    "query",  "is",       "slow",    "in",    "postgres",  "refactor", "class",      "into",     "smaller", "methods",
    "with",   "tests",    "what",    "does",  "error",     "mean",     "\"quoted\"", "path\\to", "naïve",   "café",
    "résumé", "step",     "by",      "think", "carefully", "agent",    "tool",       "😀"};
constexpr std::array<std::string_view, 3> kEndpoints = {"/v1/messages", "/v1/chat/completions", "/v1/complete"};
constexpr std::array<std::string_view, 4> kModels = {"model-large-2026-03", "model-small-2026-03",
                                                     "model-large-2025-10", "model-code-2026-05"};
constexpr std::array<std::string_view, 4> kUserAgents = {"anthropic-python/0.52.0", "openai-python/1.82.0",
                                                         "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)", "curl/8.5.0"};
constexpr std::array<std::string_view, 6> kCountries = {"US", "DE", "IN", "BR", "JP", "GB"};
constexpr std::array<std::string_view, 6> kTiers = {"none", "email", "phone", "payment", "id", "enterprise"};

// Bad lines, one of each kind the reader must reject.
constexpr std::array<std::string_view, 7> kBadLines = {
    R"({"ts":1776816000000,"account":"broken",)",                              // malformed JSON
    R"({"ts":1776816000000,"ip":"192.0.2.1"})",                                // missing account
    R"({"ts":1776816000000,"account":"a","ip":"192.0.2.1","asn":"AS13335"})",  // wrong type
    R"({"ts":1776816000000,"account":"a","ip":"300.1.2.3"})",                  // invalid IP
    R"({"ts":"2026-02-30T10:00:00Z","account":"a","ip":"192.0.2.1"})",         // invalid timestamp
    "{\"ts\":1776816000000,\"account\":\"\xff\xfe\",\"ip\":\"192.0.2.1\"}",    // invalid UTF-8
    R"({"ts":1776816000,"account":"a","ip":"192.0.2.1"})",                     // seconds, not ms
};

class Generator {
 public:
  explicit Generator(const SampleLogOptions& options)
      : options_(options),
        rng_(options.seed),
        account_count_(options.accounts > 0 ? options.accounts : std::max<uint64_t>(1, options.events / 20)) {}

  void Run(io::OutputFile* out) {
    uint64_t total = options_.events + options_.bad_lines;
    uint64_t bad_every = options_.bad_lines > 0 ? std::max<uint64_t>(1, total / options_.bad_lines) : 0;
    uint64_t bad_written = 0;
    int64_t ts = options_.start_ms;
    std::exponential_distribution<double> gap(1.0 / static_cast<double>(std::max<int64_t>(1, options_.mean_gap_ms)));
    std::string line;
    for (uint64_t index = 0; index < total; ++index) {
      bool bad = bad_every > 0 && bad_written < options_.bad_lines &&
                 (index % bad_every == bad_every / 2 || total - index <= options_.bad_lines - bad_written);
      if (bad) {
        line.assign(kBadLines[bad_written % kBadLines.size()]);
        line += '\n';
        ++bad_written;
      } else {
        ts += static_cast<int64_t>(gap(rng_));
        FormatEvent(ts, &line);
      }
      out->Write(line);
    }
  }

 private:
  uint64_t Uniform(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }

  // Zipf-like skew: a few accounts send most requests.
  uint64_t PickAccount() {
    double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    return static_cast<uint64_t>(static_cast<double>(account_count_) * u * u * u) % account_count_;
  }

  void AppendText(std::string* out, uint64_t mean_bytes) {
    std::string text;
    uint64_t target = mean_bytes / 2 + Uniform(mean_bytes + 1);
    while (text.size() < target) {
      if (!text.empty()) text += Uniform(12) == 0 ? '\n' : ' ';
      text += kWords[Uniform(kWords.size())];
    }
    io::AppendJsonString(out, text);
  }

  void FormatEvent(int64_t ts, std::string* line) {
    uint64_t account = PickAccount();
    // Each account has a stable home: IP block, org, payment, country.
    uint64_t home = account * 2654435761u;
    bool ipv6 = home % 10 == 0;
    std::string ip = ipv6 ? fmt::format("2001:db8:{:x}::{:x}", home % 4096, 1 + Uniform(0xfffe))
                          : fmt::format("{}{}{}{}{}{}{}", 11 + home % 200, ".", (home >> 8) % 256, ".",
                                        (home >> 16) % 64, ".", 1 + Uniform(254));
    line->assign("{\"ts\":");
    fmt::format_to(std::back_inserter(*line), "{}{}{}{}{}{}", ts, ",\"account\":\"acct-", account, "\",\"ip\":\"", ip,
                   "\"");
    fmt::format_to(std::back_inserter(*line), "{}{}{}{}{}{}{}", ",\"org\":\"org-", account / 7, "\",\"key\":\"key-",
                   account, "-", home % 3, "\"");
    fmt::format_to(std::back_inserter(*line), "{}{}",
                   ",\"account_created\":", options_.start_ms - static_cast<int64_t>(home % 900) * 86400000);
    fmt::format_to(std::back_inserter(*line), "{}{}{}", ",\"verified\":\"", kTiers[home % kTiers.size()], "\"");
    fmt::format_to(std::back_inserter(*line), "{}{}{}{}{}{}{}", ",\"payment\":\"pm-", account / 2,
                   "\",\"billing_country\":\"", kCountries[home % kCountries.size()], "\",\"email_domain\":\"example",
                   home % 50, ".com\"");
    fmt::format_to(std::back_inserter(*line), "{}{}{}{}{}{}{}{}{}", ",\"asn\":", 64512 + home % 1000,
                   ",\"ip_country\":\"", kCountries[(home / 3) % kCountries.size()], "\",\"ua\":\"",
                   kUserAgents[home % kUserAgents.size()], "\",\"tls\":\"t13d1516h2_8daaf6152771_", home % 5, "\"");
    fmt::format_to(std::back_inserter(*line), "{}{}{}{}{}", ",\"endpoint\":\"", kEndpoints[Uniform(kEndpoints.size())],
                   "\",\"model\":\"", kModels[Uniform(kModels.size())], "\"");
    if (options_.prompt_bytes > 0) {
      line->append(",\"system\":");
      AppendText(line, options_.prompt_bytes / 8 + 1);
      line->append(",\"prompt\":");
      AppendText(line, options_.prompt_bytes);
    }
    uint64_t input = 20 + Uniform(4000);
    fmt::format_to(std::back_inserter(*line), "{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}{}", ",\"conversation\":\"conv-",
                   account, "-", Uniform(50), "\",\"turn\":", 1 + Uniform(6),
                   ",\"tools\":", Uniform(4) == 0 ? Uniform(12) : 0, ",\"max_tokens\":", 1024 << Uniform(4),
                   ",\"stream\":", Uniform(2) ? "true" : "false", ",\"status\":", Uniform(50) == 0 ? 429 : 200,
                   ",\"input_tokens\":", input, ",\"output_tokens\":", Uniform(2000), "}\n");
  }

  SampleLogOptions options_;
  std::mt19937_64 rng_;
  uint64_t account_count_;
};

}  // namespace

void WriteSampleLog(const SampleLogOptions& options, io::OutputFile* out) { Generator(options).Run(out); }

absl::Status WriteSampleLog(const SampleLogOptions& options, const std::string& path) {
  absl::StatusOr<std::unique_ptr<io::OutputFile>> out = io::OutputFile::Open(path);
  if (!out.ok()) return out.status();
  WriteSampleLog(options, out->get());
  return (*out)->Close();
}

}  // namespace hydraguard::sim
