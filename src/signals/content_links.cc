// Link signals from prompt text: the system prompt, and the template a
// prompt was built from (MinHash + LSH of word 3-grams, text/template_sketch.h,
// so the same frame with different slot values still matches). Popular
// prompts and agent frameworks share text across thousands of honest
// accounts; those keys link only when held mostly by suspicious accounts.
#include <cctype>
#include <string>

#include "engine/signal.h"
#include "fmt/format.h"
#include "text/template_sketch.h"
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include "xxhash.h"

namespace hydraguard::signals {
namespace {

using engine::KeySink;
using engine::SignalInfo;
using engine::SignalParams;
using ingest::Event;
using ingest::Field;

// Hash of the system prompt after normalization: ASCII case folded, digits
// folded to 0, runs of whitespace to one space, ends trimmed.
uint64_t NormalizedHash(std::string_view text) {
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  char buffer[256];
  size_t used = 0;
  bool pending_space = false;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isspace(byte)) {
      pending_space = used > 0 || pending_space;
      continue;
    }
    if (used + 2 > sizeof buffer) {
      XXH3_64bits_update(&state, buffer, used);
      used = 0;
    }
    if (pending_space) buffer[used++] = ' ';
    pending_space = false;
    buffer[used++] = std::isdigit(byte) ? '0' : (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  XXH3_64bits_update(&state, buffer, used);
  return XXH3_64bits_digest(&state);
}

// A campaign's own system prompt (held beyond chance, by almost no clearly
// honest account) is its operator's fingerprint, like its own e-mail domain:
// it joins alone. A framework's or product's prompt that honest users also
// send is not strong, so it never does.
class SystemPromptLink : public engine::LinkSignal {
 public:
  static SignalInfo Info() {
    return {"system_prompt",
            "normalized system prompt",
            {Field::kSystem},
            {{"strong_share", 0.99}, {"joins_alone", 1}, {"capacity", 4}, {"min_share", 0.05}, {"indicator", 1}},
            engine::Family::kContent};
  }
  explicit SystemPromptLink(const SignalParams&) {}
  void Keys(const Event& event, KeySink& sink) const override {
    if (!event.system.empty()) sink.Add(NormalizedHash(event.system));
  }
  std::string Describe(uint64_t key, const ingest::Interners&) const override {
    return fmt::format("system:{:016x}", key);
  }
};
HG_REGISTER_LINK_SIGNAL(SystemPromptLink);

// The first `bands` LSH band keys of each prompt's template sketch. A key an
// account keeps emitting (min_share of its prompts) is one of its templates.
// A template counts toward an account's join but does not join its holders
// to each other (unites 0): operators who harvest the same dataset tasks
// share templates without being one operator (`mixed` at scale 0.1 with
// text came out as one campaign of 4,900 accounts instead of 2,500 and
// 2,400, as without text; the grid's tune seeds 1-8 found the same accounts
// either way).
class PromptTemplateLink : public engine::LinkSignal {
 public:
  static SignalInfo Info() {
    return {
        "prompt_template",
        "prompt template (MinHash LSH bands of word 3-grams)",
        {Field::kPrompt},
        {{"strong_share", 0.99}, {"capacity", 16}, {"min_share", 0.08}, {"bands", 4}, {"indicator", 1}, {"unites", 0}},
        engine::Family::kContent};
  }
  explicit PromptTemplateLink(const SignalParams& params)
      : bands_(std::clamp(static_cast<int>(engine::Param(params, "bands")), 1, engine::kMaxKeysPerEvent)) {}
  void Keys(const Event& event, KeySink& sink) const override {
    if (event.prompt.empty()) return;
    text::TemplateSketch sketch = text::TemplateSketch::Of(event.prompt);
    if (sketch.empty()) return;
    std::array<uint64_t, text::kLshBands> keys = sketch.BandKeys();
    for (int band = 0; band < bands_ && band < text::kLshBands; ++band) sink.Add(keys[band]);
  }
  std::string Describe(uint64_t key, const ingest::Interners&) const override {
    return fmt::format("template:{:016x}", key);
  }

 private:
  int bands_;
};
HG_REGISTER_LINK_SIGNAL(PromptTemplateLink);

}  // namespace
}  // namespace hydraguard::signals
