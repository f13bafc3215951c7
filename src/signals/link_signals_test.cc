// Every registered link signal, with its default parameters, on hand-built
// events.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/signal.h"
#include "ingest/event.h"
#include "ingest/interner.h"
#include "ingest/ip_address.h"

namespace hydraguard::signals {
namespace {

using engine::KeySink;
using engine::LinkSignal;
using engine::Registry;
using engine::SignalParams;
using ingest::Event;
using ingest::Field;
using ::testing::HasSubstr;

constexpr int64_t kStart = 1776816000000;  // 2026-04-22T00:00:00Z
constexpr int64_t kSecond = 1000, kMinute = 60 * kSecond, kHour = 60 * kMinute, kDay = 24 * kHour;

std::unique_ptr<LinkSignal> Make(const std::string& name, const SignalParams& overrides = {}) {
  const engine::SignalFactory<LinkSignal>& factory = Registry<LinkSignal>().at(name);
  SignalParams params = factory.info.defaults;
  for (const auto& [key, value] : overrides) params[key] = value;
  return factory.make(params);
}

void Set(Event& event, Field field) { event.present |= 1u << static_cast<int>(field); }

// A minimal event: time, account and IP, nothing else.
Event MakeEvent(int64_t ts = kStart) {
  Event event;
  event.ts_ms = ts;
  event.account = 0;
  event.ip = *ingest::IpAddress::Parse("198.51.100.7");
  Set(event, Field::kTs);
  Set(event, Field::kAccount);
  Set(event, Field::kIp);
  return event;
}

std::vector<uint64_t> Keys(const LinkSignal& signal, const Event& event) {
  KeySink sink;
  signal.Keys(event, sink);
  return std::vector<uint64_t>(sink.keys, sink.keys + sink.size);
}

int Shared(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  std::set<uint64_t> left(a.begin(), a.end());
  int shared = 0;
  for (uint64_t key : std::set<uint64_t>(b.begin(), b.end())) shared += left.count(key);
  return shared;
}

// The registry holds exactly the shipped link signals, each with a family
// and the policy parameters the engine reads.
TEST(LinkSignalsTest, RegisteredNames) {
  std::vector<std::string> names;
  for (const auto& [name, factory] : Registry<LinkSignal>()) {
    names.push_back(name);
    EXPECT_EQ(factory.info.name, name);
    EXPECT_FALSE(factory.info.description.empty()) << name;
    EXPECT_NE(factory.info.family, engine::Family::kNone) << name;
    EXPECT_TRUE(factory.info.defaults.contains("weight")) << name;
  }
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("payment", "email_domain", "signup_time", "ip", "ip_prefix", "asn",
                                                     "client_stack", "system_prompt", "prompt_template", "lockstep",
                                                     "client_profile", "coactivity"));
}

// The payment id is the key; no payment, no key; Describe shows the name.
TEST(LinkSignalsTest, Payment) {
  ingest::Interners names;
  names.payment.Intern("pm_other");
  auto signal = Make("payment");
  Event event = MakeEvent();
  EXPECT_TRUE(Keys(*signal, event).empty());
  event.payment = names.payment.Intern("pm_3f9a");
  Set(event, Field::kPayment);
  std::vector<uint64_t> keys = Keys(*signal, event);
  ASSERT_EQ(keys, std::vector<uint64_t>{event.payment});
  EXPECT_EQ(signal->Describe(keys[0], names), "pm_3f9a");
}

// The e-mail domain id is the key; none, no key.
TEST(LinkSignalsTest, EmailDomain) {
  ingest::Interners names;
  auto signal = Make("email_domain");
  Event event = MakeEvent();
  EXPECT_TRUE(Keys(*signal, event).empty());
  names.email_domain.Intern("example.com");
  event.email_domain = names.email_domain.Intern("mailbox.test");
  Set(event, Field::kEmailDomain);
  std::vector<uint64_t> keys = Keys(*signal, event);
  ASSERT_EQ(keys, std::vector<uint64_t>{event.email_domain});
  EXPECT_EQ(signal->Describe(keys[0], names), "mailbox.test");
}

Event SignedUp(int64_t created_ms) {
  Event event = MakeEvent();
  event.account_created_ms = created_ms;
  Set(event, Field::kAccountCreated);
  return event;
}

// Two keys per sign-up (two staggered hour grids): sign-ups 10 minutes apart
// always share one, wherever they fall; sign-ups 5 hours apart never do.
TEST(LinkSignalsTest, SignupTime) {
  auto signal = Make("signup_time");
  EXPECT_TRUE(Keys(*signal, MakeEvent()).empty());
  EXPECT_EQ(Keys(*signal, SignedUp(kStart)).size(), 2u);
  for (int64_t offset = 0; offset < 3 * kHour; offset += 7 * kMinute + 13 * kSecond) {
    std::vector<uint64_t> a = Keys(*signal, SignedUp(kStart + offset));
    std::vector<uint64_t> close = Keys(*signal, SignedUp(kStart + offset + 10 * kMinute));
    std::vector<uint64_t> far = Keys(*signal, SignedUp(kStart + offset + 5 * kHour));
    EXPECT_GE(Shared(a, close), 1) << offset;
    EXPECT_EQ(Shared(a, far), 0) << offset;
  }
}

// Describe gives the start of each window: on the hour for the first grid,
// half an hour earlier for the staggered one.
TEST(LinkSignalsTest, SignupTimeDescribe) {
  ingest::Interners names;
  auto signal = Make("signup_time");
  std::vector<std::string> described;
  for (uint64_t key : Keys(*signal, SignedUp(kStart + 10 * kMinute))) described.push_back(signal->Describe(key, names));
  EXPECT_THAT(described,
              ::testing::UnorderedElementsAre("2026-04-22T00:00:00.000Z+60min", "2026-04-21T23:30:00.000Z+60min"));
}

// The interned address and prefix are the keys; Describe prints them.
TEST(LinkSignalsTest, IpAndPrefix) {
  ingest::Interners names;
  auto ip = Make("ip");
  auto prefix = Make("ip_prefix");
  Event event = MakeEvent();
  EXPECT_TRUE(Keys(*ip, event).empty());
  EXPECT_TRUE(Keys(*prefix, event).empty());
  names.ips.InternAddress(*ingest::IpAddress::Parse("192.0.2.1"));
  names.ips.InternPrefix(*ingest::IpAddress::Parse("192.0.2.1"));
  event.ip = *ingest::IpAddress::Parse("203.0.113.77");
  event.ip_id = names.ips.InternAddress(event.ip);
  event.ip_prefix_id = names.ips.InternPrefix(event.ip);
  std::vector<uint64_t> ip_keys = Keys(*ip, event);
  std::vector<uint64_t> prefix_keys = Keys(*prefix, event);
  ASSERT_EQ(ip_keys, std::vector<uint64_t>{event.ip_id});
  ASSERT_EQ(prefix_keys, std::vector<uint64_t>{event.ip_prefix_id});
  EXPECT_EQ(ip->Describe(ip_keys[0], names), "203.0.113.77");
  EXPECT_EQ(prefix->Describe(prefix_keys[0], names), "203.0.113.0/24");
}

// The client profile: one key per (stack, cap, tools, streaming, endpoint),
// described in words; nothing without a user agent or an output cap.
TEST(LinkSignalsTest, ClientProfile) {
  ingest::Interners names;
  auto signal = Make("client_profile");
  Event event = MakeEvent();
  EXPECT_TRUE(Keys(*signal, event).empty());
  event.ua = names.ua.Intern("harness/2.0");
  event.tls = names.tls.Intern("t13d1812h2");
  event.endpoint = names.endpoint.Intern("/v1/messages");
  event.max_tokens = 16384;
  event.tools = 9;
  event.stream = true;
  Set(event, Field::kUa);
  Set(event, Field::kTls);
  Set(event, Field::kEndpoint);
  EXPECT_TRUE(Keys(*signal, event).empty());  // no output cap
  Set(event, Field::kMaxTokens);
  std::vector<uint64_t> keys = Keys(*signal, event);
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(signal->Describe(keys[0], names),
            "harness/2.0 / t13d1812h2 / max_tokens < 32768 / 6-10 tools / streamed / /v1/messages");
  Event same = event;
  same.tools = 7;  // same bucket
  EXPECT_EQ(Keys(*signal, same), keys);
  for (auto change : {+[](Event& e) { e.max_tokens = 4096; }, +[](Event& e) { e.tools = 0; },
                      +[](Event& e) { e.stream = false; }, +[](Event& e) { e.ua = 7; }}) {
    Event other = event;
    change(other);
    EXPECT_NE(Keys(*signal, other), keys);
  }
  const engine::SignalInfo& info = Registry<LinkSignal>().at("client_profile").info;
  EXPECT_EQ(info.family, engine::Family::kBehavior);
  EXPECT_EQ(info.defaults.at("pair_cap"), 0);  // a popular profile never pairs strangers
}

// An IPv6 host is its /64: privacy addresses inside it are one key; another
// /64 of the same /48 is another host (and the same prefix key).
TEST(LinkSignalsTest, Ipv6HostIsItsSlash64) {
  ingest::Interners names;
  auto ip = Make("ip");
  auto prefix = Make("ip_prefix");
  auto keys_of = [&](std::string_view text) {
    Event event = MakeEvent();
    event.ip = *ingest::IpAddress::Parse(text);
    event.ip_id = names.ips.InternAddress(event.ip);
    event.ip_prefix_id = names.ips.InternPrefix(event.ip);
    return std::pair{Keys(*ip, event), Keys(*prefix, event)};
  };
  auto [first, first_prefix] = keys_of("2001:db8:7:1:a1b2:c3d4:e5f6:1");
  auto [second, second_prefix] = keys_of("2001:db8:7:1:ffff:1:2:3");
  auto [other, other_prefix] = keys_of("2001:db8:7:2::1");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other);
  EXPECT_EQ(first_prefix, other_prefix);
  EXPECT_EQ(ip->Describe(first[0], names), "2001:db8:7:1::/64");
  auto [v4, v4_prefix] = keys_of("203.0.113.9");  // IPv4 keeps its interned id
  EXPECT_LT(v4[0], 0x100000000ull);
  EXPECT_EQ(ip->Describe(v4[0], names), "203.0.113.9");
}

// The ASN is a key only when present (0 is a value, not absence).
TEST(LinkSignalsTest, Asn) {
  ingest::Interners names;
  auto signal = Make("asn");
  Event event = MakeEvent();
  event.asn = 64500;
  EXPECT_TRUE(Keys(*signal, event).empty());
  Set(event, Field::kAsn);
  std::vector<uint64_t> keys = Keys(*signal, event);
  ASSERT_EQ(keys, std::vector<uint64_t>{64500});
  EXPECT_EQ(signal->Describe(keys[0], names), "AS64500");
  event.asn = 0;
  EXPECT_EQ(Keys(*signal, event), std::vector<uint64_t>{0});
}

// One key for the TLS fingerprint and user agent together: the same pair
// gives the same key, changing either changes it; either alone still gives
// a key; neither, none.
TEST(LinkSignalsTest, ClientStack) {
  ingest::Interners names;
  auto signal = Make("client_stack");
  auto stack = [&](const char* tls, const char* ua) {
    Event event = MakeEvent();
    if (tls != nullptr) {
      event.tls = names.tls.Intern(tls);
      Set(event, Field::kTls);
    }
    if (ua != nullptr) {
      event.ua = names.ua.Intern(ua);
      Set(event, Field::kUa);
    }
    return Keys(*signal, event);
  };
  EXPECT_TRUE(stack(nullptr, nullptr).empty());
  std::vector<uint64_t> both = stack("t13d1516h2_8daaf6152771", "openai-python/1.40.0");
  ASSERT_EQ(both.size(), 1u);
  EXPECT_EQ(stack("t13d1516h2_8daaf6152771", "openai-python/1.40.0"), both);
  EXPECT_NE(stack("t13d1516h2_8daaf6152771", "curl/8.5.0"), both);
  EXPECT_NE(stack("t13d1715h2_5b57614c22b0", "openai-python/1.40.0"), both);
  std::vector<uint64_t> tls_only = stack("t13d1516h2_8daaf6152771", nullptr);
  std::vector<uint64_t> ua_only = stack(nullptr, "openai-python/1.40.0");
  ASSERT_EQ(tls_only.size(), 1u);
  ASSERT_EQ(ua_only.size(), 1u);
  EXPECT_NE(tls_only, both);
  EXPECT_NE(ua_only, both);
  EXPECT_NE(tls_only, ua_only);
  std::string described = signal->Describe(both[0], names);
  EXPECT_THAT(described, HasSubstr("t13d1516h2_8daaf6152771"));
  EXPECT_THAT(described, HasSubstr("openai-python/1.40.0"));
  EXPECT_EQ(signal->Describe(tls_only[0], names), "tls=t13d1516h2_8daaf6152771 ua=-");
  EXPECT_EQ(signal->Describe(ua_only[0], names), "tls=- ua=openai-python/1.40.0");
}

std::vector<uint64_t> SystemKeys(const LinkSignal& signal, std::string_view system) {
  Event event = MakeEvent();
  event.system = system;
  if (!system.empty()) Set(event, Field::kSystem);
  return Keys(signal, event);
}

// Case, digits and whitespace runs do not change the key; other text does.
TEST(LinkSignalsTest, SystemPromptNormalization) {
  auto signal = Make("system_prompt");
  EXPECT_TRUE(SystemKeys(*signal, "").empty());
  std::vector<uint64_t> a = SystemKeys(*signal, "You are  Helpful 123");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(SystemKeys(*signal, "you are helpful 456"), a);
  EXPECT_EQ(SystemKeys(*signal, "  YOU\tare\n\nhelpful 999 \n"), a);
  EXPECT_NE(SystemKeys(*signal, "you are harmless 456"), a);
  EXPECT_NE(SystemKeys(*signal, "youare helpful 456"), a);
  EXPECT_NE(SystemKeys(*signal, "you are helpful 45"), a);
}

// Normalization holds across the internal buffer size (texts of kilobytes).
TEST(LinkSignalsTest, SystemPromptNormalizationOfLongText) {
  auto signal = Make("system_prompt");
  std::string text, same, other;
  for (int index = 0; index < 200; ++index) {
    std::string number = std::to_string(index);
    text += "Rule   ";
    text += number;
    text += ": Answer BRIEFLY.\n";
    same += "RULE ";
    same += std::string(number.size(), '9');  // other digits, as many
    same += ":   answer briefly.   ";
    other += "rule ";
    other += number;
    other += index == 150 ? ": answer slowly. " : ": answer briefly. ";
  }
  ASSERT_GT(text.size(), 4000u);
  EXPECT_EQ(SystemKeys(*signal, text), SystemKeys(*signal, same));
  EXPECT_NE(SystemKeys(*signal, text), SystemKeys(*signal, other));
}

std::vector<uint64_t> PromptKeys(const LinkSignal& signal, std::string_view prompt) {
  Event event = MakeEvent();
  event.prompt = prompt;
  if (!prompt.empty()) Set(event, Field::kPrompt);
  return Keys(signal, event);
}

// A prompt from a fixed 40-word frame with two slot words filled in: both
// at the end, or (apart) the first after the 13th frame word.
std::string FromTemplate(std::string_view first, std::string_view second, bool apart = false) {
  static const char* const kFrame[] = {
      "you",      "are",       "an",      "expert",       "assistant", "helping",   "a",       "team",
      "of",       "engineers", "review",  "their",        "work",      "carefully", "please",  "read",
      "the",      "following", "request", "and",          "answer",    "with",      "a",       "complete",
      "solution", "including", "all",     "intermediate", "steps",     "explain",   "every",   "decision",
      "you",      "make",      "and",     "finish",       "with",      "a",         "summary", "task"};
  std::string prompt;
  int index = 0;
  for (const char* word : kFrame) {
    prompt += word;
    prompt += ' ';
    if (apart && index++ == 12) {
      prompt += first;
      prompt += ' ';
    }
  }
  if (!apart) {
    prompt += first;
    prompt += ' ';
  }
  prompt += second;
  return prompt;
}

// Prompts from one template with different slot words share a band key
// (nearly always); unrelated prompts share none.
TEST(LinkSignalsTest, PromptTemplate) {
  auto signal = Make("prompt_template");
  EXPECT_TRUE(PromptKeys(*signal, "").empty());
  const std::vector<std::pair<const char*, const char*>> kSlots = {
      {"sorting", "python"}, {"parsing", "rust"},   {"merging", "go"},     {"hashing", "java"},
      {"caching", "kotlin"}, {"routing", "scala"},  {"queueing", "swift"}, {"logging", "ruby"},
      {"paging", "haskell"}, {"locking", "elixir"}, {"tracing", "ocaml"},  {"diffing", "zig"}};
  std::vector<uint64_t> base = PromptKeys(*signal, FromTemplate("searching", "cpp"));
  ASSERT_EQ(base.size(), 4u);  // default bands
  int matched = 0;
  for (const auto& [first, second] : kSlots)
    matched += Shared(base, PromptKeys(*signal, FromTemplate(first, second))) > 0;
  EXPECT_GE(matched, static_cast<int>(kSlots.size()) - 2);
  // Slots apart change more 3-grams (estimated similarity ~0.75, so a
  // shared band in ~3 of 4 pairs): still most of them.
  std::vector<uint64_t> base_apart = PromptKeys(*signal, FromTemplate("searching", "cpp", /*apart=*/true));
  int matched_apart = 0;
  for (const auto& [first, second] : kSlots) {
    matched_apart += Shared(base_apart, PromptKeys(*signal, FromTemplate(first, second, /*apart=*/true))) > 0;
  }
  EXPECT_GE(matched_apart, static_cast<int>(kSlots.size()) * 2 / 3);

  const std::vector<std::string> kUnrelated = {
      "Write a haiku about autumn leaves falling on a quiet pond at dusk.",
      "What is the capital city of Australia and why was it chosen over Sydney?",
      "Translate this sentence into German: the train leaves at seven tomorrow morning.",
      "Summarize the plot of Hamlet in three short sentences for a ten year old.",
      "Give me a recipe for vegan banana bread without refined sugar or nuts.",
      FromTemplate("searching", "cpp")};
  for (size_t i = 0; i < kUnrelated.size(); ++i) {
    for (size_t j = i + 1; j < kUnrelated.size(); ++j) {
      EXPECT_EQ(Shared(PromptKeys(*signal, kUnrelated[i]), PromptKeys(*signal, kUnrelated[j])), 0) << i << " " << j;
    }
  }
}

// The `bands` parameter sets how many band keys each prompt emits, at most
// kMaxKeysPerEvent.
TEST(LinkSignalsTest, PromptTemplateBands) {
  std::string prompt = FromTemplate("searching", "cpp");
  EXPECT_EQ(PromptKeys(*Make("prompt_template", {{"bands", 1}}), prompt).size(), 1u);
  EXPECT_EQ(PromptKeys(*Make("prompt_template", {{"bands", 8}}), prompt).size(), 8u);
  EXPECT_EQ(PromptKeys(*Make("prompt_template", {{"bands", 100}}), prompt).size(),
            static_cast<size_t>(engine::kMaxKeysPerEvent));
  // The first bands are the same whatever their number.
  std::vector<uint64_t> four = PromptKeys(*Make("prompt_template"), prompt);
  std::vector<uint64_t> eight = PromptKeys(*Make("prompt_template", {{"bands", 8}}), prompt);
  EXPECT_TRUE(std::equal(four.begin(), four.end(), eight.begin()));
}

// Requests at the same phase of a 20-minute period on different days share
// the 20-minute key (and the 10-minute one); a different phase does not.
TEST(LinkSignalsTest, Lockstep) {
  ingest::Interners names;
  auto signal = Make("lockstep");
  std::vector<uint64_t> a = Keys(*signal, MakeEvent(kStart + 7 * kMinute + 30 * kSecond));
  std::vector<uint64_t> b = Keys(*signal, MakeEvent(kStart + 3 * kDay + 27 * kMinute + 30 * kSecond));
  std::vector<uint64_t> c = Keys(*signal, MakeEvent(kStart + 3 * kDay + 12 * kMinute + 30 * kSecond));
  ASSERT_EQ(a.size(), 5u);  // one per period: 10, 15, 20, 30, 60 minutes
  ASSERT_EQ(b.size(), 5u);
  EXPECT_EQ(a[2], b[2]);  // 20 minutes
  EXPECT_EQ(a[0], b[0]);  // 10 minutes
  EXPECT_NE(a[4], b[4]);  // 60 minutes: 20 minutes apart
  EXPECT_NE(a[2], c[2]);  // 20 minutes: another phase
  EXPECT_EQ(Shared(a, b), 2);
  EXPECT_EQ(signal->Describe(a[2], names), "every 20 min at +360s..+480s");
  EXPECT_TRUE(Keys(*signal, MakeEvent(-5 * kMinute)).empty());
}

// Same phase of the same day, one bucket apart, are different keys; the same
// bucket on another day is the same key.
TEST(LinkSignalsTest, LockstepBuckets) {
  auto signal = Make("lockstep");
  std::vector<uint64_t> a = Keys(*signal, MakeEvent(kStart + 1 * kMinute));
  EXPECT_EQ(Keys(*signal, MakeEvent(kStart + 1 * kMinute + 50 * kSecond)), a);  // same 2-minute bucket
  EXPECT_EQ(Shared(Keys(*signal, MakeEvent(kStart + 2 * kMinute + 10 * kSecond)), a), 0);
  EXPECT_EQ(Keys(*signal, MakeEvent(kStart + 9 * kDay + 1 * kMinute)), a);
}

// On an event carrying every field, every signal emits keys and Describe
// gives a non-empty text for each.
TEST(LinkSignalsTest, EveryDescribeIsNonEmpty) {
  ingest::Interners names;
  Event event = MakeEvent(kStart + 5 * kHour);
  event.ip_id = names.ips.InternAddress(event.ip);
  event.ip_prefix_id = names.ips.InternPrefix(event.ip);
  event.payment = names.payment.Intern("pm_1");
  event.email_domain = names.email_domain.Intern("example.org");
  event.tls = names.tls.Intern("t13d");
  event.ua = names.ua.Intern("sdk/1.0");
  event.asn = 13335;
  event.max_tokens = 4096;
  event.account_created_ms = kStart - kDay;
  event.system = "You are a grader.";
  event.prompt = "Grade the following answer on a scale of one to ten and explain the grade.";
  for (Field field : {Field::kPayment, Field::kEmailDomain, Field::kTls, Field::kUa, Field::kAsn,
                      Field::kAccountCreated, Field::kSystem, Field::kPrompt, Field::kMaxTokens}) {
    Set(event, field);
  }
  ASSERT_EQ(Registry<LinkSignal>().size(), 12u);
  for (const auto& [name, factory] : Registry<LinkSignal>()) {
    auto signal = factory.make(factory.info.defaults);
    std::vector<uint64_t> keys = Keys(*signal, event);
    if (factory.info.coactivity) {  // keyed by the engine over the whole log: by an account id
      EXPECT_TRUE(keys.empty()) << name;
      keys.push_back(names.account.Intern("user_first"));
      EXPECT_EQ(signal->Describe(keys[0], names),
                "group of user_first (in the same 15-minute windows far beyond chance)");
    }
    EXPECT_FALSE(keys.empty()) << name;
    for (uint64_t key : keys) EXPECT_FALSE(signal->Describe(key, names).empty()) << name;
  }
}

}  // namespace
}  // namespace hydraguard::signals
