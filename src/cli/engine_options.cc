#include "cli/engine_options.h"

#include <utility>

#include "engine/config.h"

namespace hydraguard::cli {

void AddEngineOptions(CLI::App* command, EngineOptions* options) {
  command->add_option("--config", options->config, "Detection config (YAML); see detect --print-config");
  command->add_option("--netlists", options->netlists, "Datacenter/VPN lists (e.g. ../shared/data/netlists)");
  command->add_flag("--strict", options->strict, "Stop with exit status 2 at the first bad line");
  command->add_flag("--no-text", options->no_text, "Ignore prompt and system text (metadata-only mode)");
  command
      ->add_option("--text-model", options->text_model,
                   "How prompts are read: 'shipped' (the trained model compiled in), 'cues' (the cue-phrase "
                   "classifier) or a model file from train-text-model")
      ->capture_default_str();
}

absl::StatusOr<const text::TextModel*> ChooseTextModel(const std::string& name,
                                                       std::optional<text::TextModel>* loaded) {
  if (name == "shipped") return &text::TextModel::Shipped();
  if (name == "cues") return nullptr;
  absl::StatusOr<text::TextModel> model = text::TextModel::Load(name);
  if (!model.ok()) return model.status();
  *loaded = *std::move(model);
  return &**loaded;
}

absl::Status SetUpEngine(const EngineOptions& options, EngineSetup* setup) {
  engine::EngineConfig config;
  if (!options.config.empty()) {
    absl::StatusOr<engine::EngineConfig> loaded = engine::LoadConfig(options.config);
    if (!loaded.ok()) return loaded.status();
    config = *std::move(loaded);
  }
  if (options.no_text) config.use_text = 0;
  if (!options.netlists.empty()) {
    absl::StatusOr<netinfo::NetworkLists> loaded = netinfo::NetworkLists::LoadDirectory(options.netlists);
    if (!loaded.ok()) return loaded.status();
    setup->lists = *std::move(loaded);
  }
  absl::StatusOr<const text::TextModel*> text_model = ChooseTextModel(options.text_model, &setup->text_model);
  if (!text_model.ok()) return text_model.status();
  absl::StatusOr<std::unique_ptr<engine::Engine>> engine =
      engine::Engine::Create(config, setup->lists ? &*setup->lists : nullptr, &setup->interners, *text_model);
  if (!engine.ok()) return engine.status();
  setup->engine = *std::move(engine);
  setup->read_options.strict = options.strict;
  setup->read_options.not_interned = engine::Engine::kUnusedIdFields;
  return absl::OkStatus();
}

}  // namespace hydraguard::cli
