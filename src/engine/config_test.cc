#include "engine/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "engine/signal.h"
#include "testing/test_files.h"

namespace hydraguard::engine {
namespace {

using ::testing::HasSubstr;

// Every top-level threshold, so that tests can compare whole configs.
void ExpectSameThresholds(const EngineConfig& a, const EngineConfig& b) {
  EXPECT_DOUBLE_EQ(a.suspicious_points, b.suspicious_points);
  EXPECT_DOUBLE_EQ(a.hub_false_per_million, b.hub_false_per_million);
  EXPECT_DOUBLE_EQ(a.hub_min_families, b.hub_min_families);
  EXPECT_DOUBLE_EQ(a.pair_points, b.pair_points);
  EXPECT_DOUBLE_EQ(a.strong_pair_points, b.strong_pair_points);
  EXPECT_DOUBLE_EQ(a.member_points, b.member_points);
  EXPECT_DOUBLE_EQ(a.member_pair_points, b.member_pair_points);
  EXPECT_DOUBLE_EQ(a.campaign_min_accounts, b.campaign_min_accounts);
  EXPECT_DOUBLE_EQ(a.campaign_median_points, b.campaign_median_points);
  EXPECT_DOUBLE_EQ(a.monitor_points, b.monitor_points);
  EXPECT_DOUBLE_EQ(a.use_text, b.use_text);
}

// Top-level values override their defaults; the rest keep theirs.
TEST(ConfigTest, OverridesThresholds) {
  absl::StatusOr<EngineConfig> config = ParseConfig(
      "suspicious_points: 3.5\n"
      "hub_false_per_million: 12\n"
      "monitor_points: 0.25\n"
      "use_text: 0\n",
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_DOUBLE_EQ(config->suspicious_points, 3.5);
  EXPECT_DOUBLE_EQ(config->hub_false_per_million, 12);
  EXPECT_DOUBLE_EQ(config->monitor_points, 0.25);
  EXPECT_DOUBLE_EQ(config->use_text, 0);
  EngineConfig defaults;
  EXPECT_DOUBLE_EQ(config->pair_points, defaults.pair_points);
  EXPECT_DOUBLE_EQ(config->campaign_min_accounts, defaults.campaign_min_accounts);
  EXPECT_TRUE(config->account_signals.empty());
  EXPECT_TRUE(config->link_signals.empty());
}

// Signal sections record only what the user set: parameters and `enabled`.
TEST(ConfigTest, OverridesSignalParamsAndEnabled) {
  absl::StatusOr<EngineConfig> config = ParseConfig(
      "account_signals:\n"
      "  young_account:\n"
      "    weight: 2\n"
      "    max_days: 14\n"
      "  volume:\n"
      "    enabled: false\n"
      "link_signals:\n"
      "  ip:\n"
      "    enabled: true\n"
      "    pair_cap: 4\n"
      "  lockstep:\n"
      "    enabled: no\n",
      "test.yaml");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->account_signals.size(), 2u);
  const SignalOverride& young = config->account_signals.at("young_account");
  EXPECT_TRUE(young.enabled);
  EXPECT_EQ(young.params, (SignalParams{{"weight", 2}, {"max_days", 14}}));
  const SignalOverride& volume = config->account_signals.at("volume");
  EXPECT_FALSE(volume.enabled);
  EXPECT_TRUE(volume.params.empty());
  ASSERT_EQ(config->link_signals.size(), 2u);
  EXPECT_TRUE(config->link_signals.at("ip").enabled);
  EXPECT_EQ(config->link_signals.at("ip").params, (SignalParams{{"pair_cap", 4}}));
  EXPECT_FALSE(config->link_signals.at("lockstep").enabled);
  ExpectSameThresholds(*config, EngineConfig{});
}

// A typo at the top level is an error naming the file, line and key.
TEST(ConfigTest, UnknownTopLevelKeyIsAnError) {
  absl::StatusOr<EngineConfig> config = ParseConfig(
      "suspicious_points: 3\n"
      "\n"
      "suspicous_points: 4\n",
      "site.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("site.yaml:3"));
  EXPECT_THAT(config.status().message(), HasSubstr("suspicous_points"));
}

// Non-numeric values (at the top level and in a signal) are errors naming
// the place, key and value.
TEST(ConfigTest, NonNumericValueIsAnError) {
  absl::StatusOr<EngineConfig> top = ParseConfig("pair_points: lots\n", "a.yaml");
  ASSERT_FALSE(top.ok());
  EXPECT_THAT(top.status().message(), HasSubstr("a.yaml:1"));
  EXPECT_THAT(top.status().message(), HasSubstr("pair_points"));
  EXPECT_THAT(top.status().message(), HasSubstr("lots"));

  absl::StatusOr<EngineConfig> nested = ParseConfig(
      "account_signals:\n"
      "  volume:\n"
      "    weight: heavy\n",
      "b.yaml");
  ASSERT_FALSE(nested.ok());
  EXPECT_THAT(nested.status().message(), HasSubstr("b.yaml:3"));
  EXPECT_THAT(nested.status().message(), HasSubstr("account_signals.volume.weight"));

  absl::StatusOr<EngineConfig> list = ParseConfig("pair_points: [1, 2]\n", "c.yaml");
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(list.status().message(), HasSubstr("pair_points"));

  absl::StatusOr<EngineConfig> infinite = ParseConfig("pair_points: .inf\n", "d.yaml");
  EXPECT_FALSE(infinite.ok());

  absl::StatusOr<EngineConfig> enabled = ParseConfig("link_signals:\n  ip:\n    enabled: maybe\n", "e.yaml");
  ASSERT_FALSE(enabled.ok());
  EXPECT_THAT(enabled.status().message(), HasSubstr("link_signals.ip.enabled"));
}

// Broken YAML is an error with the origin, not an exception.
// A misspelt signal or parameter is reported where it is written, not
// silently kept as a default.
TEST(ConfigTest, UnknownSignalOrParameterNamesTheLine) {
  absl::StatusOr<EngineConfig> signal =
      ParseConfig("account_signals:\n  volume:\n    weight: 1\n  yuong_account:\n    weight: 1\n", "c.yaml");
  ASSERT_FALSE(signal.ok());
  EXPECT_THAT(signal.status().message(), HasSubstr("c.yaml:4: account_signals: unknown signal \"yuong_account\""));
  absl::StatusOr<EngineConfig> param = ParseConfig("link_signals:\n  payment:\n    wieght: 1\n", "d.yaml");
  ASSERT_FALSE(param.ok());
  EXPECT_THAT(param.status().message(), HasSubstr("d.yaml:3: link_signals.payment: unknown parameter \"wieght\""));
}

TEST(ConfigTest, BadYamlSyntaxIsAnError) {
  absl::StatusOr<EngineConfig> config = ParseConfig(
      "pair_points: 1\n"
      "account_signals: {volume: [\n",
      "broken.yaml");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("broken.yaml:"));
}

// The document must be a map; a list or a scalar is an error.
TEST(ConfigTest, NonMapTopLevelIsAnError) {
  for (const char* text : {"- suspicious_points\n- 3\n", "just a string\n", "42\n"}) {
    absl::StatusOr<EngineConfig> config = ParseConfig(text, "odd.yaml");
    ASSERT_FALSE(config.ok()) << text;
    EXPECT_THAT(config.status().message(), HasSubstr("odd.yaml")) << text;
  }
}

// Signal sections must be maps of maps.
TEST(ConfigTest, MalformedSignalSectionIsAnError) {
  EXPECT_FALSE(ParseConfig("account_signals: 3\n", "x.yaml").ok());
  EXPECT_FALSE(ParseConfig("account_signals:\n  volume: 3\n", "x.yaml").ok());
}

// An empty document (or one with only comments) is the default config.
TEST(ConfigTest, EmptyDocumentGivesDefaults) {
  for (const char* text : {"", "# nothing here\n", "\n\n"}) {
    absl::StatusOr<EngineConfig> config = ParseConfig(text, "empty.yaml");
    ASSERT_TRUE(config.ok()) << config.status();
    ExpectSameThresholds(*config, EngineConfig{});
    EXPECT_TRUE(config->account_signals.empty());
    EXPECT_TRUE(config->link_signals.empty());
  }
}

// --print-config output parses back to the defaults: the same thresholds,
// and every registered signal enabled with exactly its default parameters.
TEST(ConfigTest, DefaultConfigYamlRoundTrips) {
  std::string yaml = DefaultConfigYaml();
  absl::StatusOr<EngineConfig> config = ParseConfig(yaml, "default.yaml");
  ASSERT_TRUE(config.ok()) << config.status() << "\n" << yaml;
  ExpectSameThresholds(*config, EngineConfig{});

  ASSERT_FALSE(Registry<AccountSignal>().empty());
  ASSERT_FALSE(Registry<LinkSignal>().empty());
  EXPECT_EQ(config->account_signals.size(), Registry<AccountSignal>().size());
  for (const auto& [name, factory] : Registry<AccountSignal>()) {
    std::string line = "  ";
    line += name;
    line += ":";
    EXPECT_THAT(yaml, HasSubstr(line));
    auto found = config->account_signals.find(name);
    ASSERT_NE(found, config->account_signals.end()) << name;
    EXPECT_TRUE(found->second.enabled) << name;
    EXPECT_EQ(found->second.params, factory.info.defaults) << name;
  }
  EXPECT_EQ(config->link_signals.size(), Registry<LinkSignal>().size());
  for (const auto& [name, factory] : Registry<LinkSignal>()) {
    std::string line = "  ";
    line += name;
    line += ":";
    EXPECT_THAT(yaml, HasSubstr(line));
    auto found = config->link_signals.find(name);
    ASSERT_NE(found, config->link_signals.end()) << name;
    EXPECT_TRUE(found->second.enabled) << name;
    EXPECT_EQ(found->second.params, factory.info.defaults) << name;
  }
}

// LoadConfig reads a file and names it in errors.
TEST(ConfigTest, LoadConfigReadsAFile) {
  std::string path = hydraguard::testing::WriteTempFile("pair_points: 1.75\nbogus: 1\n", ".yaml");
  absl::StatusOr<EngineConfig> config = LoadConfig(path);
  ASSERT_FALSE(config.ok());
  std::string where = path;
  where += ":2";
  EXPECT_THAT(config.status().message(), HasSubstr(where));

  std::string good = hydraguard::testing::WriteTempFile("pair_points: 1.75\n", ".yaml");
  config = LoadConfig(good);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_DOUBLE_EQ(config->pair_points, 1.75);
}

// A missing file is an error naming the path.
TEST(ConfigTest, LoadConfigMissingFileIsAnError) {
  std::string path = hydraguard::testing::TempPath(".yaml");
  absl::StatusOr<EngineConfig> config = LoadConfig(path);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(config.status().message(), HasSubstr(path));
}

}  // namespace
}  // namespace hydraguard::engine
