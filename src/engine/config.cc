#include "engine/config.h"

#include <cmath>
#include <utility>
#include <vector>

#include "fmt/format.h"
#include "io/read_file.h"
#include "yaml-cpp/yaml.h"

namespace hydraguard::engine {
namespace {

struct Threshold {
  const char* name;
  double EngineConfig::*field;
  const char* comment;
};

// Every top-level value, in the order --print-config shows them.
const std::vector<Threshold>& Thresholds() {
  static const auto* thresholds = new std::vector<Threshold>{
      {"suspicious_points", &EngineConfig::suspicious_points,
       "own points from which an account is suspicious (may join hubs)"},
      {"hub_false_per_million", &EngineConfig::hub_false_per_million,
       "a shared key is a hub when chance gives as many suspicious holders on at most this many keys per million"},
      {"hub_min_odds_ratio", &EngineConfig::hub_min_odds_ratio,
       "...and holding it multiplies the odds that an account is suspicious at least this many times"},
      {"hub_strong_chance_joins", &EngineConfig::hub_strong_chance_joins,
       "a hub is also strong when its clearly honest holders bring at most this many suspicious ones by chance"},
      {"hub_min_families", &EngineConfig::hub_min_families,
       "a suspicious account joins through hubs of this many link-signal families"},
      {"hub_min_strong", &EngineConfig::hub_min_strong,
       "...and strong hubs whose signals' strong_weight add up to this"},
      {"weak_hubs_join", &EngineConfig::weak_hubs_join,
       "1: network and generic-content hubs join accounts; 0: only strong hubs do"},
      {"pair_corroborates_hub", &EngineConfig::pair_corroborates_hub,
       "1: a suspicious account joins its hubs when an account it is joined to by pair evidence holds one too"},
      {"pair_points", &EngineConfig::pair_points, "pair evidence that joins two suspicious accounts"},
      {"strong_pair_points", &EngineConfig::strong_pair_points, "pair evidence that joins any two accounts"},
      {"member_points", &EngineConfig::member_points,
       "own points from which an account joins a suspicious one on member_pair_points"},
      {"member_pair_points", &EngineConfig::member_pair_points, "pair evidence for that"},
      {"campaign_min_accounts", &EngineConfig::campaign_min_accounts, "smallest cluster reported as a campaign"},
      {"campaign_median_points", &EngineConfig::campaign_median_points, "median own points of a campaign's members"},
      {"monitor_points", &EngineConfig::monitor_points, "own points for `monitor` outside campaigns"},
      {"indicator_min_accounts", &EngineConfig::indicator_min_accounts,
       "an indicator key (link signal with indicator: 1) needs this many holders"},
      {"indicator_min_share", &EngineConfig::indicator_min_share, "...of which this share are flagged"},
      {"indicator_min_signals", &EngineConfig::indicator_min_signals,
       "a request of an unscored account is refused with indicators of this many signals"},
      {"use_text", &EngineConfig::use_text, "0: ignore prompt and system text (metadata-only mode)"},
      {"text_opening_turns_only", &EngineConfig::text_opening_turns_only,
       "1: analyse text on opening turns only (turn 1 or no turn); 0: every turn"},
  };
  return *thresholds;
}

std::string Where(std::string_view origin, const YAML::Node& node) {
  return fmt::format("{}:{}", origin, node.Mark().line + 1);
}

absl::StatusOr<double> ReadNumber(std::string_view origin, std::string_view key, const YAML::Node& node) {
  if (!node.IsScalar()) {
    return absl::InvalidArgumentError(fmt::format("{}: {}: expected a number", Where(origin, node), key));
  }
  double value = 0;
  if (!YAML::convert<double>::decode(node, value) || !std::isfinite(value)) {
    return absl::InvalidArgumentError(
        fmt::format("{}: {}: expected a number, got \"{}\"", Where(origin, node), key, node.Scalar()));
  }
  return value;
}

// The registered signals' parameters, by name, for one section; empty when no
// signal is linked in (then Engine::Create checks names instead).
std::map<std::string, SignalParams, std::less<>> KnownSignals(std::string_view section) {
  std::map<std::string, SignalParams, std::less<>> known;
  if (section == "account_signals") {
    for (const auto& [name, factory] : Registry<AccountSignal>()) known[name] = factory.info.defaults;
  } else {
    for (const auto& [name, factory] : Registry<LinkSignal>()) known[name] = factory.info.defaults;
  }
  return known;
}

absl::Status ReadSignals(std::string_view origin, std::string_view section, const YAML::Node& node,
                         std::map<std::string, SignalOverride, std::less<>>* out) {
  const std::map<std::string, SignalParams, std::less<>> known = KnownSignals(section);
  if (!node.IsMap()) {
    return absl::InvalidArgumentError(
        fmt::format("{}: {}: expected a map of signal names", Where(origin, node), section));
  }
  for (const auto& entry : node) {
    std::string name = entry.first.as<std::string>();
    const YAML::Node& settings = entry.second;
    auto signal = known.find(name);
    if (!known.empty() && signal == known.end()) {
      return absl::InvalidArgumentError(
          fmt::format("{}: {}: unknown signal \"{}\"", Where(origin, entry.first), section, name));
    }
    if (!settings.IsMap()) {
      return absl::InvalidArgumentError(
          fmt::format("{}: {}.{}: expected a map of parameters", Where(origin, settings), section, name));
    }
    SignalOverride& override_config = (*out)[name];
    for (const auto& param : settings) {
      std::string key = param.first.as<std::string>();
      std::string path = fmt::format("{}.{}.{}", section, name, key);
      if (key == "enabled") {
        bool enabled = true;
        if (!param.second.IsScalar() || !YAML::convert<bool>::decode(param.second, enabled)) {
          return absl::InvalidArgumentError(
              fmt::format("{}: {}: expected true or false", Where(origin, param.second), path));
        }
        override_config.enabled = enabled;
        continue;
      }
      if (signal != known.end() && !signal->second.contains(key)) {
        return absl::InvalidArgumentError(
            fmt::format("{}: {}.{}: unknown parameter \"{}\"", Where(origin, param.first), section, name, key));
      }
      absl::StatusOr<double> value = ReadNumber(origin, path, param.second);
      if (!value.ok()) return value.status();
      override_config.params[key] = *value;
    }
  }
  return absl::OkStatus();
}

template <typename Signal>
void AppendSignals(std::string_view section, std::string* out) {
  fmt::format_to(std::back_inserter(*out), "\n{}:\n", section);
  for (const auto& [name, factory] : Registry<Signal>()) {
    fmt::format_to(std::back_inserter(*out), "  {}:  # {}\n", name, factory.info.description);
    fmt::format_to(std::back_inserter(*out), "    enabled: true\n");
    for (const auto& [param, value] : factory.info.defaults) {
      fmt::format_to(std::back_inserter(*out), "    {}: {}\n", param, value);
    }
  }
}

}  // namespace

absl::StatusOr<EngineConfig> ParseConfig(std::string_view yaml_text, std::string_view origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(fmt::format("{}:{}: {}", origin, error.mark.line + 1, error.msg));
  }
  EngineConfig config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) return absl::InvalidArgumentError(fmt::format("{}: expected a map at the top level", origin));
  try {
    for (const auto& entry : root) {
      std::string key = entry.first.as<std::string>();
      if (key == "account_signals" || key == "link_signals") {
        absl::Status status = ReadSignals(origin, key, entry.second,
                                          key == "account_signals" ? &config.account_signals : &config.link_signals);
        if (!status.ok()) return status;
        continue;
      }
      const Threshold* threshold = nullptr;
      for (const Threshold& candidate : Thresholds()) {
        if (key == candidate.name) threshold = &candidate;
      }
      if (threshold == nullptr) {
        return absl::InvalidArgumentError(fmt::format("{}: unknown key \"{}\"", Where(origin, entry.first), key));
      }
      absl::StatusOr<double> value = ReadNumber(origin, key, entry.second);
      if (!value.ok()) return value.status();
      config.*(threshold->field) = *value;
    }
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(fmt::format("{}:{}: {}", origin, error.mark.line + 1, error.msg));
  }
  return config;
}

absl::StatusOr<EngineConfig> LoadConfig(const std::string& path) {
  absl::StatusOr<std::string> text = io::ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseConfig(*text, path);
}

std::string DefaultConfigYaml() {
  EngineConfig defaults;
  std::string out =
      "# hydraguard detection config. Every value shown is the default; a file\n"
      "# needs only the values it changes. docs/detection.md explains each one.\n";
  for (const Threshold& threshold : Thresholds()) {
    fmt::format_to(std::back_inserter(out), "{}: {}  # {}\n", threshold.name, defaults.*(threshold.field),
                   threshold.comment);
  }
  AppendSignals<AccountSignal>("account_signals", &out);
  AppendSignals<LinkSignal>("link_signals", &out);
  return out;
}

}  // namespace hydraguard::engine
