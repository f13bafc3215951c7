// Hand-built logs for the engine's scenario tests (engine_test.cc,
// rescorer_test.cc): a hydra, and honest people who share cards, NATs and
// prompts. Test-only.
#ifndef HYDRAGUARD_ENGINE_INTERNAL_TEST_SCENARIOS_H_
#define HYDRAGUARD_ENGINE_INTERNAL_TEST_SCENARIOS_H_

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "fmt/format.h"

namespace hydraguard::engine::internal {

constexpr int64_t kStart = 1776816000000;  // 2026-04-22T00:00:00Z
constexpr int64_t kHour = 3600000;
constexpr int64_t kDay = 24 * kHour;

struct Request {
  std::string account;
  int64_t ts = 0;
  std::string ip;
  std::string ip_country = "US";
  std::string billing_country = "US";
  int64_t created = 0;
  std::string payment;
  std::string org;
  std::string email_domain = "gmail.com";
  std::string verified = "email";
  int output_tokens = 300;
  std::string system;
  std::string prompt;
};

inline std::string ToJson(const Request& r, bool with_text) {
  std::string line = fmt::format(
      R"({{"ts":{},"account":"{}","ip":"{}","ip_country":"{}","billing_country":"{}","account_created":{},)"
      R"("payment":"{}","org":"{}","email_domain":"{}","verified":"{}","input_tokens":50,"output_tokens":{})",
      r.ts, r.account, r.ip, r.ip_country, r.billing_country, r.created, r.payment, r.org, r.email_domain, r.verified,
      r.output_tokens);
  if (with_text && !r.system.empty()) line += fmt::format(R"(,"system":"{}")", r.system);
  if (with_text && !r.prompt.empty()) line += fmt::format(R"(,"prompt":"{}")", r.prompt);
  line += "}\n";
  return line;
}

// 30 hydra accounts: signed up in one burst a day before use, ten per card,
// ~40 requests a day over two weeks through proxy exits in eight countries,
// one system prompt, reasoning-eliciting coding tasks, long answers.
inline void AddHydra(std::vector<Request>* log) {
  const char* countries[] = {"DE", "FR", "BR", "JP", "KR", "IN", "SG", "GB"};
  for (int account = 0; account < 30; ++account) {
    for (int day = 0; day < 14; ++day) {
      for (int n = 0; n < 40; ++n) {
        Request r;
        r.account = fmt::format("hydra_{}", account);
        r.ts = kStart + day * kDay + n * (kDay / 40) + account * 7000;
        int exit = (account * 7 + day * 13 + n) % 40;
        r.ip = fmt::format("203.0.{}.{}", 100 + exit / 10, 10 + exit % 10);
        r.ip_country = countries[exit % 8];
        r.created = kStart - kDay + account * 60000;
        r.payment = fmt::format("pm_hydra_{}", account / 10);
        r.org = fmt::format("org_hydra_{}", account);
        r.email_domain = "tmpbox.net";
        r.output_tokens = 2200;
        r.system = "You are a meticulous expert. Answer every request in full, showing the method.";
        r.prompt = fmt::format(
            "Write a Python function that implements task {} with unit tests. Think step by step and show all "
            "of your reasoning.",
            (account * 31 + day * 7 + n) % 97);
        log->push_back(r);
      }
    }
  }
}

// Honest traffic: 60 people (casual chat, a few a day), 5 households of four
// sharing a card, one company of 20 behind one NAT with one card and domain,
// everyone pasting the same popular prompt now and then.
inline void AddHonest(std::vector<Request>* log) {
  for (int person = 0; person < 100; ++person) {
    bool household = person >= 60 && person < 80;
    bool company = person >= 80;
    for (int day = 0; day < 14; ++day) {
      for (int n = 0; n < 1 + person % 3; ++n) {
        Request r;
        r.account = fmt::format("honest_{}", person);
        r.ts = kStart + day * kDay + (9 + (person + n * 5) % 12) * kHour + person * 1000;
        r.ip = company ? "198.51.100.7" : fmt::format("192.0.2.{}", person);
        r.created = kStart - (400 + person) * kDay;
        r.payment = household ? fmt::format("pm_house_{}", (person - 60) / 4)
                    : company ? "pm_company"
                              : fmt::format("pm_person_{}", person);
        r.org = company ? "org_company" : fmt::format("org_person_{}", person);
        r.email_domain = company ? "company.example" : "gmail.com";
        r.verified = company ? "enterprise" : "phone";
        r.prompt = (day + n) % 4 == 0 ? "Summarize the following text in three bullet points."
                                      : fmt::format("what should I cook tonight with {} and rice?", person + day);
        log->push_back(r);
      }
    }
  }
}

// The N of an AddHydra() request's account "hydra_N".
inline int HydraIndex(const Request& request) {
  return std::stoi(request.account.substr(request.account.find('_') + 1));
}

// The hydra with nothing of its own but sign-up bursts (accounts 0-14 on one
// day, 15-29 on another) and its exits: own cards, webmail, no text.
inline std::vector<Request> BurstAndExitsHydra(bool signed_up_in_a_burst) {
  std::vector<Request> log;
  AddHydra(&log);
  for (Request& request : log) {
    int account = HydraIndex(request);
    request.payment = fmt::format("pm_own_{}", account);
    request.email_domain = "gmail.com";
    if (account >= 15) request.created -= 5 * kDay;
    if (!signed_up_in_a_burst) request.created = kStart - (40 + 3 * account) * kDay;
  }
  AddHonest(&log);
  return log;
}

// BurstAndExitsHydra(true), its cards shared by two or three accounts
// (never a hub: three suspicious holders are within chance here), either
// inside each burst (accounts 0-2, 3-5, ...) or each pair across the two
// bursts (accounts 0 and 15, 1 and 16, ...).
inline std::vector<Request> CardGroupsInBurstsHydra(bool partners_in_the_same_burst) {
  std::vector<Request> log = BurstAndExitsHydra(true);
  for (Request& request : log) {
    if (request.account.starts_with("honest_")) continue;
    int account = HydraIndex(request);
    request.payment =
        partners_in_the_same_burst ? fmt::format("pm_trio_{}", account / 3) : fmt::format("pm_pair_{}", account % 15);
  }
  return log;
}

// A fleet driven by a dispatcher (job waves): 40 accounts with their own
// cards, webmail, no text, signed up months apart, each request from another
// residential address abroad. 70 jobs go out at random times over two
// weeks; each account takes about two thirds of them and sends three requests
// within ten minutes of the dispatch, with long answers. Nothing is shared
// but the time: only co-activity ties the accounts together.
inline void AddJobWavesFleet(std::vector<Request>* log) {
  std::mt19937_64 rng(2014);
  std::vector<int64_t> jobs;
  for (int job = 0; job < 70; ++job) jobs.push_back(kStart + static_cast<int64_t>(rng() % (14 * kDay)));
  const char* countries[] = {"DE", "FR", "BR", "JP", "KR", "IN"};
  for (int account = 0; account < 40; ++account) {
    for (int64_t job : jobs) {
      if (rng() % 3 == 0) continue;
      for (int n = 0; n < 3; ++n) {
        Request r;
        r.account = fmt::format("fleet_{}", account);
        r.ts = job + static_cast<int64_t>(rng() % 600000);
        r.ip = fmt::format("{}.{}.{}.{}", 11 + rng() % 100, rng() % 256, rng() % 256, 1 + rng() % 254);
        r.ip_country = countries[rng() % 6];
        r.created = kStart - (90 + 7 * account) * kDay;
        r.payment = fmt::format("pm_fleet_{}", account);
        r.org = fmt::format("org_fleet_{}", account);
        r.verified = "none";
        r.output_tokens = 2200;
        log->push_back(r);
      }
    }
  }
}

// Honest scheduled work: 12 companies' jobs that run on the hour, every
// hour, from their own servers. Co-active with each other by nature.
inline void AddCronJobs(std::vector<Request>* log) {
  for (int company = 0; company < 12; ++company) {
    for (int64_t hour = 0; hour < 14 * 24; ++hour) {
      Request r;
      r.account = fmt::format("cron_{}", company);
      r.ts = kStart + hour * kHour + 1000 * company;
      r.ip = fmt::format("192.0.2.{}", 200 + company);
      r.created = kStart - (500 + company) * kDay;
      r.payment = fmt::format("pm_cron_{}", company);
      r.org = fmt::format("org_cron_{}", company);
      r.verified = "phone";
      log->push_back(r);
    }
  }
}

}  // namespace hydraguard::engine::internal

#endif  // HYDRAGUARD_ENGINE_INTERNAL_TEST_SCENARIOS_H_
