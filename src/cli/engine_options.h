// The engine options `detect` and `replay` share (--config, --netlists,
// --no-text, --text-model, --strict), and building an engine from them.
#ifndef HYDRAGUARD_CLI_ENGINE_OPTIONS_H_
#define HYDRAGUARD_CLI_ENGINE_OPTIONS_H_

#include <memory>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "engine/engine.h"
#include "ingest/event_reader.h"
#include "ingest/interner.h"
#include "netinfo/network_lists.h"
#include "text/text_model.h"

namespace hydraguard::cli {

struct EngineOptions {
  std::string config, netlists;
  bool strict = false;
  bool no_text = false;
  std::string text_model = "shipped";  // "shipped", "cues" or a model file
};

void AddEngineOptions(CLI::App* command, EngineOptions* options);

// An engine built from the options, with what it needs alive.
struct EngineSetup {
  std::optional<netinfo::NetworkLists> lists;
  std::optional<text::TextModel> text_model;  // a --text-model FILE
  ingest::Interners interners;
  std::unique_ptr<engine::Engine> engine;
  ingest::ReadOptions read_options;  // strict, and no interning of ids the engine ignores
};

// The text model a --text-model value names: the shipped one ("shipped"),
// none ("cues": the engine then reads prompts with the cue phrases), or a
// model file, loaded into *loaded (which must outlive the result).
absl::StatusOr<const text::TextModel*> ChooseTextModel(const std::string& name, std::optional<text::TextModel>* loaded);

// Fails on an unreadable or bad config or network list.
absl::Status SetUpEngine(const EngineOptions& options, EngineSetup* setup);

}  // namespace hydraguard::cli

#endif  // HYDRAGUARD_CLI_ENGINE_OPTIONS_H_
