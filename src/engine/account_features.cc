#include "engine/account_features.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace hydraguard::engine {
namespace {

constexpr int64_t kHourMs = 3600000;
constexpr int64_t kDayMs = 24 * kHourMs;

std::optional<double> Share(uint32_t part, uint32_t whole) {
  return whole == 0 ? std::nullopt : std::optional<double>(static_cast<double>(part) / whole);
}

int64_t FloorDiv(int64_t value, int64_t divisor) {
  return value >= 0 ? value / divisor : (value - divisor + 1) / divisor;
}

// Counts an in-order request toward the account's set-up history, and notes
// its first change of user agent, TLS fingerprint or card.
void NoteSetup(const ingest::Event& event, AccountFeatures& f) {
  if (f.switched) {
    ++f.events_after_switch;
    return;
  }
  bool changed = false;
  const std::array<ingest::Id, 3> setup = {event.ua, event.tls, event.payment};
  for (size_t field = 0; field < setup.size(); ++field) {
    if (setup[field] == ingest::kNoId) continue;
    if (f.first_setup[field] == ingest::kNoId) {
      f.first_setup[field] = setup[field];
    } else {
      changed |= setup[field] != f.first_setup[field];
    }
  }
  if (changed) {
    f.switched = true;
    f.switch_ms = event.ts_ms;
    f.events_after_switch = 1;
  } else {
    ++f.events_before_switch;
  }
}

}  // namespace

double AccountFeatures::OutputInputRatio() const {
  return static_cast<double>(output_tokens) / static_cast<double>(std::max<uint64_t>(1, input_tokens));
}

double AccountFeatures::RequestsPerActiveDay() const {
  return active_days == 0 ? 0 : static_cast<double>(events) / active_days;
}

double AccountFeatures::HourCoverage() const {
  int hours = 0;
  for (uint32_t count : by_utc_hour) hours += count > 0;
  return hours / 24.0;
}

std::optional<double> AccountFeatures::InterArrivalCv() const {
  if (gaps < 2) return std::nullopt;
  double variance = gap_m2 / (gaps - 1);
  return std::sqrt(variance) / std::max(1e-9, std::fabs(gap_mean));
}

std::optional<double> AccountFeatures::SingleTurnShare() const { return Share(first_turns, with_turn); }
double AccountFeatures::ToolShare() const { return events == 0 ? 0 : static_cast<double>(with_tools) / events; }
std::optional<double> AccountFeatures::ReasoningShare() const { return Share(eliciting_reasoning, with_text); }

std::optional<double> AccountFeatures::DatasetTaskShare() const { return Share(dataset_tasks, with_text); }

std::optional<double> AccountFeatures::CapabilityConcentration() const {
  if (with_text == 0) return std::nullopt;
  double index = 0;
  for (uint32_t count : capabilities) {
    double share = static_cast<double>(count) / with_text;
    index += share * share;
  }
  return index;
}

std::optional<text::Capability> AccountFeatures::TopCapability() const {
  if (with_text == 0) return std::nullopt;
  return static_cast<text::Capability>(std::max_element(capabilities.begin(), capabilities.end()) -
                                       capabilities.begin());
}

double AccountFeatures::DatacenterShare() const { return events == 0 ? 0 : static_cast<double>(datacenter) / events; }
double AccountFeatures::VpnShare() const { return events == 0 ? 0 : static_cast<double>(vpn) / events; }
std::optional<double> AccountFeatures::CountryMismatchShare() const { return Share(country_mismatch, with_countries); }

int AccountFeatures::IpCountries() const {
  int countries = 0;
  for (uint64_t word : ip_country_bits) countries += std::popcount(word);
  return countries;
}

std::optional<double> AccountFeatures::AgeAtFirstUseDays() const {
  if (created_ms < 0 || events == 0) return std::nullopt;
  return static_cast<double>(first_ms - created_ms) / kDayMs;
}

std::optional<AccountFeatures::SetupSwitch> AccountFeatures::Switch() const {
  if (!switched) return std::nullopt;
  SetupSwitch result;
  result.at_ms = switch_ms;
  result.history_days = static_cast<double>(switch_ms - first_ms) / kDayMs;
  result.before = events_before_switch;
  result.after = events_after_switch;
  result.rate_before = static_cast<double>(result.before) / std::max(1.0, result.history_days);
  result.rate_after =
      static_cast<double>(result.after) / std::max(1.0, static_cast<double>(last_ms - switch_ms) / kDayMs);
  return result;
}

void AccountFeatureTable::Add(const ingest::Event& event) {
  using ingest::Field;
  if (event.account >= accounts_.size()) accounts_.resize(event.account + 1);
  AccountFeatures& f = accounts_[event.account];
  if (f.events == 0) {
    f.first_ms = f.last_ms = event.ts_ms;
    NoteSetup(event, f);
  } else if (event.ts_ms < f.last_ms) {
    ++f.out_of_order;
  } else {
    NoteSetup(event, f);
    double gap_seconds = static_cast<double>(event.ts_ms - f.last_ms) / 1000.0;
    double value = std::log1p(gap_seconds);
    ++f.gaps;
    double delta = value - f.gap_mean;
    f.gap_mean += delta / f.gaps;
    f.gap_m2 += delta * (value - f.gap_mean);
    f.last_ms = event.ts_ms;
  }
  f.first_ms = std::min(f.first_ms, event.ts_ms);
  ++f.events;
  f.input_tokens += static_cast<uint64_t>(event.input_tokens);
  f.output_tokens += static_cast<uint64_t>(event.output_tokens);
  ++f.by_utc_hour[static_cast<size_t>(FloorDiv(event.ts_ms, kHourMs) % 24 + 24) % 24];
  int64_t day = FloorDiv(event.ts_ms, kDayMs);
  if (day != f.last_day && event.ts_ms >= f.last_ms) {
    ++f.active_days;
    f.last_day = day;
  }
  if (event.has(Field::kAccountCreated)) f.created_ms = event.account_created_ms;
  if (event.has(Field::kVerified)) f.verified = std::max(f.verified, event.verified);
  if (event.has(Field::kTurn)) {
    ++f.with_turn;
    f.first_turns += event.turn == 1;
  }
  f.with_tools += event.has(Field::kTools) && event.tools > 0;
  if (event.has(Field::kPrompt)) {
    text::Classification c = text_model_ != nullptr ? text_model_->Classify(event.prompt, event.system, event.tools)
                                                    : text::ClassifyRequest(event.prompt, event.system, event.tools);
    if (c.covered) {
      ++f.with_text;
      ++f.capabilities[static_cast<size_t>(c.capability)];
      f.eliciting_reasoning += c.elicits_reasoning;
      f.dataset_tasks += c.dataset_task;
    } else {
      ++f.text_not_covered;
    }
  }
  if (lists_ != nullptr) {
    uint8_t kinds = lists_->Classify(event.ip) | (event.has(Field::kAsn) ? lists_->ClassifyAsn(event.asn) : 0);
    f.datacenter += (kinds & netinfo::kDatacenter) != 0;
    f.vpn += (kinds & netinfo::kVpn) != 0;
  }
  if (event.has(Field::kIpCountry))
    f.ip_country_bits[event.ip_country / 64 % 4] |= uint64_t{1} << (event.ip_country % 64);
  if (event.has(Field::kBillingCountry) && event.has(Field::kIpCountry)) {
    ++f.with_countries;
    f.country_mismatch += event.billing_country != event.ip_country;
  }
}

}  // namespace hydraguard::engine
