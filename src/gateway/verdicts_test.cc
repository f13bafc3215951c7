#include "gateway/verdicts.h"

#include <string>
#include <thread>

#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/test_files.h"

namespace hydraguard::gateway {
namespace {

using engine::Action;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// As `hydraguard detect --verdicts` writes them.
constexpr std::string_view kVerdicts =
    R"({"account":"a1","action":"block","score":0.97,"campaign":"c1","since":1767312000000,"reasons":["shares payment with 40 accounts"]}
{"account":"a2","action":"allow","score":0.01,"campaign":null,"since":1767312000000,"reasons":[]}
{"account":"a3","action":"throttle","score":0.6,"campaign":null,"since":1767312000000,"reasons":[]}

{"account":"a4","action":"monitor","score":0.4,"campaign":"c2","since":1767312000000,"reasons":[],"reason":"watch"}
)";

// As `hydraguard detect --campaigns` writes them (abridged).
constexpr std::string_view kCampaigns = R"({"campaigns":[
 {"id":"c1","accounts":["a1"],"exchanges":10,"indicators":[
   {"type":"payment","value":"fp_1","campaign_accounts":3,"all_accounts":3},
   {"type":"payment","value":"fp_2","campaign_accounts":3,"all_accounts":3},
   {"type":"email_domain","value":"evil.example","campaign_accounts":3,"all_accounts":3},
   {"type":"prompt_template","value":"template:00000000000000aa","campaign_accounts":3,"all_accounts":3},
   {"type":"ip_prefix","value":"203.0.113.0/24","campaign_accounts":3,"all_accounts":3},
   {"type":"lockstep","value":"x","campaign_accounts":3,"all_accounts":3}],"evidence":[]},
 {"id":"c2","indicators":[{"type":"client_stack","value":"tls=t13d ua=bot/1.0","campaign_accounts":2,"all_accounts":2},
                          {"type":"system_prompt","value":"system:00000000000000bb","campaign_accounts":2,"all_accounts":2}]}
],"signals_unused":[]})";

VerdictSet EngineSet() {
  std::string verdicts = hydraguard::testing::WriteTempFile(kVerdicts);
  std::string campaigns = hydraguard::testing::WriteTempFile(kCampaigns, ".json");
  absl::StatusOr<VerdictSet> set = VerdictSet::FromEngineFiles(verdicts, campaigns);
  EXPECT_TRUE(set.ok()) << set.status();
  return set.ok() ? *std::move(set) : VerdictSet();
}

RequestFacts Facts(std::string account, std::vector<std::pair<std::string_view, std::string>> values = {},
                   std::string campaign = "") {
  return RequestFacts{.account = std::move(account), .campaign = std::move(campaign), .values = std::move(values)};
}

VerdictEntry Entry(std::optional<Action> action, std::string campaign = "", std::string reason = "") {
  return VerdictEntry{.action = action, .campaign = std::move(campaign), .reason = std::move(reason)};
}

TEST(VerdictKindsTest, Kinds) {
  for (std::string_view kind : {"payment", "email_domain", "client_stack", "system_prompt", "prompt_template"}) {
    EXPECT_TRUE(IsIndicatorKind(kind)) << kind;
    EXPECT_TRUE(IsVerdictKind(kind)) << kind;
  }
  for (std::string_view kind : {"account", "campaign", "ip", "ip_prefix", "asn"}) {
    EXPECT_FALSE(IsIndicatorKind(kind)) << kind;
    EXPECT_TRUE(IsVerdictKind(kind)) << kind;
  }
  for (std::string_view kind : {"", "lockstep", "Account", "org", "tls"}) EXPECT_FALSE(IsVerdictKind(kind)) << kind;
}

TEST(VerdictKindsTest, CanonicalValues) {
  EXPECT_EQ(CanonicalVerdictValue("asn", "64500").value(), "AS64500");
  EXPECT_EQ(CanonicalVerdictValue("asn", "as64500").value(), "AS64500");
  EXPECT_EQ(CanonicalVerdictValue("ip", "2001:DB8:0::1").value(), "2001:db8::1");
  EXPECT_EQ(CanonicalVerdictValue("ip_prefix", "203.0.113.0/24").value(), "203.0.113.0/24");
  EXPECT_EQ(CanonicalVerdictValue("ip_prefix", "2001:db8:7::/48").value(), "2001:db8:7::/48");
  EXPECT_EQ(CanonicalVerdictValue("payment", "fp_1").value(), "fp_1");
  for (auto [kind, value] : std::vector<std::pair<std::string_view, std::string_view>>{{"asn", "AS"},
                                                                                       {"asn", "AS064500"},
                                                                                       {"asn", "99999999999"},
                                                                                       {"ip", "127.000.000.001"},
                                                                                       {"ip", "x"},
                                                                                       {"ip_prefix", "10.0.0.0/33"},
                                                                                       {"ip_prefix", "127.0.0.5/24"},
                                                                                       {"ip_prefix", "127.0.0.0/8"},
                                                                                       {"ip_prefix", "2001:db8::/64"},
                                                                                       {"ip_prefix", "10.0.0.0"},
                                                                                       {"account", ""}}) {
    EXPECT_FALSE(CanonicalVerdictValue(kind, value).ok()) << kind << " " << value;
  }
  // Stored and found canonically; refused when it could never match.
  VerdictSet set;
  ASSERT_TRUE(set.Set("ip_prefix", "2001:DB8:7:0::/48", {.action = engine::Action::kBlock}).ok());
  EXPECT_NE(set.Find("ip_prefix", "2001:db8:7::/48"), nullptr);
  EXPECT_FALSE(set.Set("ip_prefix", "10.1.2.3/24", {.action = engine::Action::kBlock}).ok());
  EXPECT_EQ(set.size(), 1u);
}

TEST(VerdictEntryTest, JsonRoundTrip) {
  VerdictEntry entry = Entry(Action::kThrottle, "c1", "operator: \"noisy\"\n");
  absl::StatusOr<VerdictEntry> back = VerdictEntry::FromJson(entry.ToJson(), "account");
  ASSERT_TRUE(back.ok()) << back.status() << entry.ToJson();
  EXPECT_EQ(back->action, entry.action);
  EXPECT_EQ(back->campaign, "c1");
  EXPECT_EQ(back->reason, entry.reason);

  // An indicator: no action, no campaign (null).
  VerdictEntry indicator = Entry(std::nullopt, "", "r");
  EXPECT_EQ(indicator.ToJson(), R"({"campaign":null,"reason":"r"})");
  absl::StatusOr<VerdictEntry> indicator_back = VerdictEntry::FromJson(indicator.ToJson(), "payment");
  ASSERT_TRUE(indicator_back.ok());
  EXPECT_FALSE(indicator_back->action.has_value());
  EXPECT_EQ(indicator_back->campaign, "");
  EXPECT_EQ(Entry(Action::kBlock, "c", "").ToJson(), R"({"action":"block","campaign":"c","reason":""})");

  // Every action survives.
  for (Action action : {Action::kAllow, Action::kMonitor, Action::kThrottle, Action::kChallenge, Action::kBlock}) {
    absl::StatusOr<VerdictEntry> again = VerdictEntry::FromJson(Entry(action).ToJson(), "ip");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->action, action);
  }
}

TEST(VerdictEntryTest, FromJsonErrors) {
  absl::StatusOr<VerdictEntry> no_action = VerdictEntry::FromJson(R"({"campaign":"c1"})", "account");
  ASSERT_FALSE(no_action.ok());
  EXPECT_THAT(Message(no_action.status()), HasSubstr("field action: required for kind account"));
  absl::StatusOr<VerdictEntry> bad_action = VerdictEntry::FromJson(R"({"action":"nuke"})", "payment");
  ASSERT_FALSE(bad_action.ok());
  EXPECT_THAT(Message(bad_action.status()), HasSubstr("\"nuke\""));
  EXPECT_FALSE(VerdictEntry::FromJson("[]", "account").ok());
  EXPECT_FALSE(VerdictEntry::FromJson("{", "account").ok());
  EXPECT_FALSE(VerdictEntry::FromJson(R"({"action":"block","reason":5})", "account").ok());
  EXPECT_FALSE(VerdictEntry::FromJson(R"({"action":1})", "account").ok());
}

TEST(VerdictSetTest, FromEngineFiles) {
  VerdictSet set = EngineSet();
  // a1, a3, a4 (a2's allow is skipped); c1: fp_1, fp_2, evil.example,
  // template (ip_prefix and lockstep are not indicator kinds); c2: 2.
  EXPECT_EQ(set.size(), 3u + 4u + 2u);
  const VerdictEntry* a1 = set.Find("account", "a1");
  ASSERT_NE(a1, nullptr);
  EXPECT_EQ(a1->action, Action::kBlock);
  EXPECT_EQ(a1->campaign, "c1");
  EXPECT_EQ(a1->reason, "engine verdict");
  EXPECT_EQ(set.Find("account", "a2"), nullptr);
  ASSERT_NE(set.Find("account", "a3"), nullptr);
  EXPECT_EQ(set.Find("account", "a3")->campaign, "");
  EXPECT_EQ(set.Find("account", "a4")->reason, "watch");
  const VerdictEntry* fp = set.Find("payment", "fp_1");
  ASSERT_NE(fp, nullptr);
  EXPECT_FALSE(fp->action.has_value());
  EXPECT_EQ(fp->campaign, "c1");
  EXPECT_EQ(fp->reason, "indicator of c1");
  EXPECT_NE(set.Find("prompt_template", "template:00000000000000aa"), nullptr);
  EXPECT_EQ(set.Find("ip_prefix", "203.0.113.0/24"), nullptr);
  ASSERT_NE(set.Find("client_stack", "tls=t13d ua=bot/1.0"), nullptr);
  EXPECT_EQ(set.Find("client_stack", "tls=t13d ua=bot/1.0")->campaign, "c2");

  // Either file alone; neither.
  absl::StatusOr<VerdictSet> only_verdicts =
      VerdictSet::FromEngineFiles(hydraguard::testing::WriteTempFile(kVerdicts), "");
  ASSERT_TRUE(only_verdicts.ok());
  EXPECT_EQ(only_verdicts->size(), 3u);
  absl::StatusOr<VerdictSet> none = VerdictSet::FromEngineFiles("", "");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->size(), 0u);
}

TEST(VerdictSetTest, FromEngineFilesErrors) {
  std::string path = hydraguard::testing::WriteTempFile(R"({"account":"a1","action":"block"})"
                                                        "\n"
                                                        R"({"action":"block"})"
                                                        "\n");
  absl::StatusOr<VerdictSet> no_account = VerdictSet::FromEngineFiles(path, "");
  ASSERT_FALSE(no_account.ok());
  EXPECT_THAT(Message(no_account.status()), StartsWith(path + ":2: field account: required"));

  path = hydraguard::testing::WriteTempFile(R"({"account":"a1","action":"ban"})");
  absl::StatusOr<VerdictSet> bad_action = VerdictSet::FromEngineFiles(path, "");
  ASSERT_FALSE(bad_action.ok());
  EXPECT_THAT(Message(bad_action.status()), StartsWith(path + ":1: field action"));

  path = hydraguard::testing::WriteTempFile(R"({"account":"a1"})");
  EXPECT_FALSE(VerdictSet::FromEngineFiles(path, "").ok());  // an account verdict needs its action

  for (std::string_view campaigns :
       {R"({"clusters":[]})", R"({"campaigns":[{"indicators":[]}]})", R"({"campaigns":[{"id":"c1"}]})",
        R"({"campaigns":[{"id":"c1","indicators":[{"type":"payment"}]}]})", "not json"}) {
    SCOPED_TRACE(campaigns);
    std::string campaigns_path = hydraguard::testing::WriteTempFile(campaigns, ".json");
    absl::StatusOr<VerdictSet> set = VerdictSet::FromEngineFiles("", campaigns_path);
    ASSERT_FALSE(set.ok());
    EXPECT_THAT(Message(set.status()), StartsWith(campaigns_path + ": "));
  }
  absl::StatusOr<VerdictSet> missing = VerdictSet::FromEngineFiles(hydraguard::testing::TempPath(".jsonl"), "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(VerdictSetTest, SetRemoveMergeList) {
  VerdictSet set;
  EXPECT_FALSE(set.Set("org", "o1", Entry(Action::kBlock)).ok());
  EXPECT_FALSE(set.Set("account", "a1", Entry(std::nullopt)).ok());  // needs an action
  EXPECT_TRUE(set.Set("payment", "fp", Entry(std::nullopt, "c1")).ok());
  EXPECT_TRUE(set.Set("account", "a1", Entry(Action::kMonitor)).ok());
  EXPECT_TRUE(set.Set("account", "a1", Entry(Action::kBlock)).ok());  // replaces
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.Find("account", "a1")->action, Action::kBlock);
  // Kind and value are kept apart: "account"+"a1" is not "accounta"+"1".
  EXPECT_EQ(set.Find("payment", "a1"), nullptr);

  VerdictSet other;
  ASSERT_TRUE(other.Set("account", "a1", Entry(Action::kThrottle)).ok());
  ASSERT_TRUE(other.Set("ip_prefix", "2001:db8::/48", Entry(Action::kBlock)).ok());
  set.Merge(other);
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(set.Find("account", "a1")->action, Action::kThrottle);

  auto list = set.List();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(std::get<0>(list[0]), "account");
  EXPECT_EQ(std::get<1>(list[0]), "a1");
  EXPECT_EQ(std::get<0>(list[1]), "ip_prefix");
  EXPECT_EQ(std::get<1>(list[1]), "2001:db8::/48");
  EXPECT_EQ(std::get<0>(list[2]), "payment");
  EXPECT_EQ(std::get<2>(list[2])->campaign, "c1");

  EXPECT_TRUE(set.Remove("account", "a1"));
  EXPECT_FALSE(set.Remove("account", "a1"));
  EXPECT_EQ(set.Find("account", "a1"), nullptr);
  EXPECT_EQ(set.size(), 2u);
}

TEST(VerdictSetTest, FromHashEntries) {
  absl::StatusOr<VerdictSet> set =
      VerdictSet::FromHashEntries({{"account:a1", R"({"action":"block","campaign":"c1","reason":"operator"})"},
                                   {"ip_prefix:2001:db8:1::/48", R"({"action":"throttle"})"},
                                   {"asn:64500", R"({"action":"monitor","reason":"hosting"})"},
                                   {"payment:fp_1", R"({"campaign":"c1"})"}},
                                  "redis hg:verdicts");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->size(), 4u);
  EXPECT_EQ(set->Find("account", "a1")->reason, "operator");
  ASSERT_NE(set->Find("ip_prefix", "2001:db8:1::/48"), nullptr);  // the value keeps its colons
  EXPECT_EQ(set->Find("ip_prefix", "2001:db8:1::/48")->action, Action::kThrottle);
  EXPECT_FALSE(set->Find("payment", "fp_1")->action.has_value());

  struct Case {
    std::string field, json, expected;
  };
  for (const Case& c : std::vector<Case>{
           {"account", R"({"action":"block"})", "redis hg:verdicts: field \"account\": expected KIND:VALUE"},
           {"org:o1", R"({"action":"block"})", "redis hg:verdicts: field \"org:o1\": expected KIND:VALUE"},
           {"account:a1", R"({"campaign":"c1"})", "redis hg:verdicts: field \"account:a1\": field action: required"},
           {"ip:1.2.3.4", R"({"action":"smite"})", "redis hg:verdicts: field \"ip:1.2.3.4\": field action"},
           {"asn:1", "nope", "redis hg:verdicts: field \"asn:1\": not a JSON object"},
       }) {
    absl::StatusOr<VerdictSet> bad = VerdictSet::FromHashEntries({{c.field, c.json}}, "redis hg:verdicts");
    ASSERT_FALSE(bad.ok()) << c.field;
    EXPECT_THAT(Message(bad.status()), StartsWith(c.expected));
  }
}

TEST(VerdictSetTest, EmptySetAllows) {
  VerdictSet set;
  Judgement judgement = set.Evaluate(Facts("a1", {{"ip", "1.2.3.4"}}), VerdictRules{});
  EXPECT_EQ(judgement.action, Action::kAllow);
  EXPECT_EQ(judgement.source, "none");
  EXPECT_EQ(judgement.campaign, "");
  // A set without a match allows too.
  Judgement other = EngineSet().Evaluate(Facts("nobody", {{"ip", "1.2.3.4"}}), VerdictRules{});
  EXPECT_EQ(other.action, Action::kAllow);
  EXPECT_EQ(other.source, "none");
}

TEST(VerdictSetTest, AccountVerdict) {
  VerdictSet set = EngineSet();
  Judgement judgement = set.Evaluate(Facts("a1"), VerdictRules{});
  EXPECT_EQ(judgement.action, Action::kBlock);
  EXPECT_EQ(judgement.source, "account");
  EXPECT_EQ(judgement.campaign, "c1");
  EXPECT_THAT(judgement.reason, HasSubstr("account verdict"));
  Judgement throttled = set.Evaluate(Facts("a3"), VerdictRules{});
  EXPECT_EQ(throttled.action, Action::kThrottle);
  EXPECT_EQ(throttled.source, "account");
  EXPECT_EQ(set.Evaluate(Facts("a2"), VerdictRules{}).action, Action::kAllow);
}

TEST(VerdictSetTest, CampaignVerdictViaIdentityOrAccountVerdict) {
  VerdictSet set = EngineSet();
  ASSERT_TRUE(set.Set("campaign", "c2", Entry(Action::kThrottle, "", "operator")).ok());
  ASSERT_TRUE(set.Set("campaign", "c9", Entry(Action::kChallenge)).ok());

  // From the key table's campaign, for an account without a verdict.
  Judgement by_identity = set.Evaluate(Facts("new-account", {}, "c9"), VerdictRules{});
  EXPECT_EQ(by_identity.action, Action::kChallenge);
  EXPECT_EQ(by_identity.source, "campaign");
  EXPECT_EQ(by_identity.campaign, "c9");
  EXPECT_EQ(by_identity.reason, "campaign c9");

  // From the account verdict's campaign: a4 is monitor, c2 throttle.
  Judgement by_verdict = set.Evaluate(Facts("a4"), VerdictRules{});
  EXPECT_EQ(by_verdict.action, Action::kThrottle);
  EXPECT_EQ(by_verdict.source, "campaign");
  EXPECT_EQ(by_verdict.campaign, "c2");

  // The key table's campaign comes first.
  Judgement both = set.Evaluate(Facts("a4", {}, "c9"), VerdictRules{});
  EXPECT_EQ(both.action, Action::kChallenge);
  EXPECT_EQ(both.campaign, "c9");

  // A campaign without a verdict adds nothing.
  Judgement unknown = set.Evaluate(Facts("x", {}, "c404"), VerdictRules{});
  EXPECT_EQ(unknown.action, Action::kAllow);
}

TEST(VerdictSetTest, InfrastructureEntries) {
  VerdictSet set;
  ASSERT_TRUE(set.Set("ip", "198.51.100.7", Entry(Action::kBlock, "c3")).ok());
  ASSERT_TRUE(set.Set("ip_prefix", "203.0.113.0/24", Entry(Action::kThrottle)).ok());
  ASSERT_TRUE(set.Set("asn", "64500", Entry(Action::kMonitor)).ok());

  Judgement ip = set.Evaluate(Facts("a", {{"ip", "198.51.100.7"}, {"ip_prefix", "198.51.100.0/24"}}), VerdictRules{});
  EXPECT_EQ(ip.action, Action::kBlock);
  EXPECT_EQ(ip.source, "infrastructure");
  EXPECT_EQ(ip.campaign, "c3");
  EXPECT_EQ(ip.reason, "ip 198.51.100.7");

  Judgement prefix = set.Evaluate(
      Facts("a", {{"ip", "203.0.113.9"}, {"ip_prefix", "203.0.113.0/24"}, {"asn", "AS64500"}}), VerdictRules{});
  EXPECT_EQ(prefix.action, Action::kThrottle);  // the stronger of throttle and monitor
  EXPECT_EQ(prefix.source, "infrastructure");
  EXPECT_EQ(prefix.reason, "ip_prefix 203.0.113.0/24");

  Judgement asn = set.Evaluate(Facts("a", {{"asn", "AS64500"}}), VerdictRules{});
  EXPECT_EQ(asn.action, Action::kMonitor);
  EXPECT_EQ(asn.reason, "asn AS64500");  // set as "64500", kept as the engine writes it
  // Values match exactly: another kind with the same value does not.
  EXPECT_EQ(set.Evaluate(Facts("a", {{"ip", "64500"}}), VerdictRules{}).action, Action::kAllow);
}

TEST(VerdictSetTest, EngineIndicatorsNeedSeveralKinds) {
  VerdictSet set = EngineSet();
  const VerdictRules rules;  // 2 kinds → challenge, 1 → monitor

  Judgement one = set.Evaluate(Facts("new", {{"payment", "fp_1"}}), rules);
  EXPECT_EQ(one.action, Action::kMonitor);
  EXPECT_EQ(one.source, "indicator");
  EXPECT_EQ(one.campaign, "c1");
  EXPECT_THAT(one.reason, HasSubstr("payment"));

  // The same kind twice counts once.
  Judgement same_kind = set.Evaluate(Facts("new", {{"payment", "fp_1"}, {"payment", "fp_2"}}), rules);
  EXPECT_EQ(same_kind.action, Action::kMonitor);

  Judgement two = set.Evaluate(Facts("new", {{"payment", "fp_1"}, {"email_domain", "evil.example"}}), rules);
  EXPECT_EQ(two.action, Action::kChallenge);
  EXPECT_EQ(two.source, "indicator");
  EXPECT_EQ(two.campaign, "c1");
  EXPECT_THAT(two.reason, HasSubstr("email_domain+payment"));

  // A template alone is labelled "template".
  Judgement tmpl = set.Evaluate(Facts("new", {{"prompt_template", "template:00000000000000aa"}}), rules);
  EXPECT_EQ(tmpl.action, Action::kMonitor);
  EXPECT_EQ(tmpl.source, "template");

  // Indicators of different campaigns still add up.
  Judgement mixed = set.Evaluate(Facts("new", {{"client_stack", "tls=t13d ua=bot/1.0"}, {"payment", "fp_2"}}), rules);
  EXPECT_EQ(mixed.action, Action::kChallenge);

  // Non-matching values count nothing.
  EXPECT_EQ(set.Evaluate(Facts("new", {{"payment", "fp_3"}, {"email_domain", "example.com"}}), rules).action,
            Action::kAllow);

  // Rules are the config's.
  VerdictRules strict{.indicator_min_signals = 1, .indicator_action = Action::kBlock};
  EXPECT_EQ(set.Evaluate(Facts("new", {{"payment", "fp_1"}}), strict).action, Action::kBlock);
  VerdictRules lenient{
      .indicator_min_signals = 3, .indicator_action = Action::kBlock, .weak_indicator_action = Action::kThrottle};
  EXPECT_EQ(set.Evaluate(Facts("new", {{"payment", "fp_1"}, {"email_domain", "evil.example"}}), lenient).action,
            Action::kThrottle);
}

TEST(VerdictSetTest, IndicatorWithExplicitAction) {
  VerdictSet set;
  ASSERT_TRUE(set.Set("payment", "fp_bad", Entry(Action::kBlock, "c5")).ok());
  ASSERT_TRUE(set.Set("prompt_template", "template:1", Entry(Action::kThrottle)).ok());
  Judgement payment = set.Evaluate(Facts("a", {{"payment", "fp_bad"}}), VerdictRules{});
  EXPECT_EQ(payment.action, Action::kBlock);
  EXPECT_EQ(payment.source, "indicator");
  EXPECT_EQ(payment.campaign, "c5");
  Judgement tmpl = set.Evaluate(Facts("a", {{"prompt_template", "template:1"}}), VerdictRules{});
  EXPECT_EQ(tmpl.action, Action::kThrottle);
  EXPECT_EQ(tmpl.source, "template");
}

TEST(VerdictSetTest, StrongestActionWins) {
  VerdictSet set = EngineSet();  // a4: monitor, campaign c2
  ASSERT_TRUE(set.Set("ip", "192.0.2.1", Entry(Action::kBlock)).ok());
  ASSERT_TRUE(set.Set("asn", "64501", Entry(Action::kThrottle)).ok());

  Judgement block = set.Evaluate(Facts("a4", {{"asn", "AS64501"}, {"ip", "192.0.2.1"}}), VerdictRules{});
  EXPECT_EQ(block.action, Action::kBlock);
  EXPECT_EQ(block.source, "infrastructure");
  EXPECT_EQ(block.reason, "ip 192.0.2.1");

  Judgement throttle = set.Evaluate(Facts("a4", {{"asn", "64501"}}), VerdictRules{});
  EXPECT_EQ(throttle.action, Action::kThrottle);
  EXPECT_EQ(throttle.reason, "asn 64501");

  // Ties keep the first found (the account's).
  Judgement account = set.Evaluate(Facts("a3", {{"asn", "64501"}}), VerdictRules{});
  EXPECT_EQ(account.action, Action::kThrottle);
  EXPECT_EQ(account.source, "account");

  // Account block beats indicators' challenge.
  Judgement a1 = set.Evaluate(Facts("a1", {{"payment", "fp_1"}, {"email_domain", "evil.example"}}), VerdictRules{});
  EXPECT_EQ(a1.action, Action::kBlock);
  EXPECT_EQ(a1.source, "account");
}

TEST(VerdictStoreTest, OverridesAndRemovalsSurviveReplaceBase) {
  VerdictStore store;
  EXPECT_EQ(store.Snapshot()->size(), 0u);

  VerdictSet base;
  ASSERT_TRUE(base.Set("account", "a1", Entry(Action::kBlock)).ok());
  ASSERT_TRUE(base.Set("account", "a2", Entry(Action::kThrottle)).ok());
  store.ReplaceBase(base);
  std::shared_ptr<const VerdictSet> first = store.Snapshot();
  EXPECT_EQ(first->size(), 2u);

  ASSERT_TRUE(store.SetOverride("account", "a2", Entry(Action::kAllow, "", "operator")).ok());
  ASSERT_TRUE(store.SetOverride("ip", "192.0.2.1", Entry(Action::kBlock)).ok());
  EXPECT_TRUE(store.RemoveOverride("account", "a1"));  // a base entry
  EXPECT_FALSE(store.RemoveOverride("account", "nobody"));
  EXPECT_FALSE(store.SetOverride("org", "o1", Entry(Action::kBlock)).ok());

  std::shared_ptr<const VerdictSet> second = store.Snapshot();
  EXPECT_EQ(second->Find("account", "a1"), nullptr);
  EXPECT_EQ(second->Find("account", "a2")->action, Action::kAllow);
  EXPECT_NE(second->Find("ip", "192.0.2.1"), nullptr);
  // Earlier snapshots are unchanged.
  EXPECT_EQ(first->size(), 2u);
  EXPECT_EQ(first->Find("account", "a1")->action, Action::kBlock);

  // A refresh of the base keeps the admin's changes on top.
  VerdictSet refreshed;
  ASSERT_TRUE(refreshed.Set("account", "a1", Entry(Action::kBlock)).ok());
  ASSERT_TRUE(refreshed.Set("account", "a2", Entry(Action::kBlock)).ok());
  ASSERT_TRUE(refreshed.Set("account", "a3", Entry(Action::kChallenge)).ok());
  store.ReplaceBase(refreshed);
  std::shared_ptr<const VerdictSet> third = store.Snapshot();
  EXPECT_EQ(third->Find("account", "a1"), nullptr);                 // still removed
  EXPECT_EQ(third->Find("account", "a2")->action, Action::kAllow);  // still overridden
  EXPECT_EQ(third->Find("account", "a3")->action, Action::kChallenge);
  EXPECT_NE(third->Find("ip", "192.0.2.1"), nullptr);

  // Setting a removed entry again brings it back, and it stays.
  ASSERT_TRUE(store.SetOverride("account", "a1", Entry(Action::kMonitor)).ok());
  store.ReplaceBase(refreshed);
  EXPECT_EQ(store.Snapshot()->Find("account", "a1")->action, Action::kMonitor);

  // Removing an override-only entry.
  EXPECT_TRUE(store.RemoveOverride("ip", "192.0.2.1"));
  EXPECT_EQ(store.Snapshot()->Find("ip", "192.0.2.1"), nullptr);
  EXPECT_FALSE(store.RemoveOverride("ip", "192.0.2.1"));
}

TEST(VerdictStoreTest, ConcurrentReadersAndWriters) {
  VerdictStore store;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop.load()) {
      std::shared_ptr<const VerdictSet> snapshot = store.Snapshot();
      (void)snapshot->Evaluate(Facts("a1", {{"ip", "192.0.2.1"}}), VerdictRules{});
    }
  });
  for (int i = 0; i < 200; ++i) {
    VerdictSet base;
    ASSERT_TRUE(base.Set("account", fmt::format("a{}", i % 7), Entry(Action::kBlock)).ok());
    store.ReplaceBase(std::move(base));
    ASSERT_TRUE(store.SetOverride("ip", fmt::format("192.0.2.{}", i % 5), Entry(Action::kMonitor)).ok());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(store.Snapshot()->size(), 1u + 5u);
}

}  // namespace
}  // namespace hydraguard::gateway
