#include "gateway/verdicts.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <set>

#include "fmt/format.h"
#include "fmt/ranges.h"
#include "gateway/internal/json_lines.h"
#include "ingest/ip_address.h"
#include "io/json_writer.h"
#include "io/read_file.h"

namespace hydraguard::gateway {
namespace {

constexpr std::array<std::string_view, 5> kIndicatorKinds = {"payment", "email_domain", "client_stack", "system_prompt",
                                                             "prompt_template"};
constexpr std::array<std::string_view, 5> kOtherKinds = {"account", "campaign", "ip", "ip_prefix", "asn"};
constexpr char kSeparator = '\x1f';

std::string EntryKey(std::string_view kind, std::string_view raw_value) {
  absl::StatusOr<std::string> canonical = CanonicalVerdictValue(kind, raw_value);
  std::string_view value = canonical.ok() ? std::string_view(*canonical) : raw_value;
  std::string key;
  key.reserve(kind.size() + value.size() + 1);
  key.append(kind).append(1, kSeparator).append(value);
  return key;
}

}  // namespace

bool IsIndicatorKind(std::string_view kind) {
  return std::find(kIndicatorKinds.begin(), kIndicatorKinds.end(), kind) != kIndicatorKinds.end();
}

absl::StatusOr<std::string> CanonicalVerdictValue(std::string_view kind, std::string_view value) {
  if (value.empty()) return absl::InvalidArgumentError(fmt::format("{}: empty value", kind));
  if (kind == "asn") {
    std::string_view digits = value;
    if (digits.size() > 2 && (digits[0] == 'A' || digits[0] == 'a') && (digits[1] == 'S' || digits[1] == 's')) {
      digits.remove_prefix(2);
    }
    uint32_t number = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
    if (error != std::errc() || end != digits.data() + digits.size() || digits.empty() || digits[0] == '0') {
      return absl::InvalidArgumentError(
          fmt::format("asn: \"{}\" is not an AS number (expected AS64500 or 64500)", value));
    }
    return fmt::format("AS{}", number);
  }
  if (kind == "ip") {
    std::optional<ingest::IpAddress> ip = ingest::IpAddress::Parse(value);
    if (!ip) {
      return absl::InvalidArgumentError(fmt::format(
          "ip: \"{}\" is not an IPv4 or IPv6 address (dotted quad without leading zeros, or RFC 4291 text)", value));
    }
    return ip->ToString();
  }
  if (kind == "ip_prefix") {
    std::optional<ingest::IpPrefix> prefix =
        value.find('/') == std::string_view::npos ? std::nullopt : ingest::IpAddress::ParseCidr(value);
    if (!prefix) {
      return absl::InvalidArgumentError(
          fmt::format("ip_prefix: \"{}\" is not ADDRESS/LENGTH (IPv4 length 0..32, IPv6 0..128)", value));
    }
    const int keyed = prefix->address.prefix_length();
    if (prefix->length != keyed) {
      return absl::InvalidArgumentError(fmt::format(
          "ip_prefix: the gateway matches IPv4 addresses by /24 and IPv6 by /48; a /{} would never match (block "
          "single addresses with kind ip, wider ranges as their /{}s, or the ASN)",
          prefix->length, keyed));
    }
    std::string network = prefix->address.PrefixString();
    if (network != fmt::format("{}/{}", prefix->address.ToString(), prefix->length)) {
      return absl::InvalidArgumentError(
          fmt::format("ip_prefix: \"{}\" has host bits set; its network is {}", value, network));
    }
    return network;
  }
  return std::string(value);
}

bool IsVerdictKind(std::string_view kind) {
  return IsIndicatorKind(kind) || std::find(kOtherKinds.begin(), kOtherKinds.end(), kind) != kOtherKinds.end();
}

std::string VerdictEntry::ToJson() const {
  std::string json = "{";
  if (action) {
    json += "\"action\":";
    io::AppendJsonString(&json, engine::ActionName(*action));
    json += ",";
  }
  json += "\"campaign\":";
  if (campaign.empty()) {
    json += "null";
  } else {
    io::AppendJsonString(&json, campaign);
  }
  json += ",\"reason\":";
  io::AppendJsonString(&json, reason);
  json += "}";
  return json;
}

absl::StatusOr<VerdictEntry> VerdictEntry::FromJson(std::string_view json, std::string_view kind) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get_object().get(object)) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  VerdictEntry entry;
  absl::StatusOr<std::optional<std::string>> action = internal::StringField(object, "action");
  if (!action.ok()) return action.status();
  if (*action) {
    entry.action = engine::ParseAction(**action);
    if (!entry.action) {
      return absl::InvalidArgumentError(
          fmt::format("field action: \"{}\": expected allow, monitor, throttle, challenge or block", **action));
    }
  } else if (!IsIndicatorKind(kind)) {
    return absl::InvalidArgumentError(fmt::format("field action: required for kind {}", kind));
  }
  for (auto [field, target] : {std::pair{"campaign", &entry.campaign}, std::pair{"reason", &entry.reason}}) {
    absl::StatusOr<std::optional<std::string>> value = internal::StringField(object, field);
    if (!value.ok()) return value.status();
    if (*value) *target = std::move(**value);
  }
  return entry;
}

absl::StatusOr<VerdictSet> VerdictSet::FromEngineFiles(const std::string& verdicts_path,
                                                       const std::string& campaigns_path) {
  VerdictSet set;
  if (!verdicts_path.empty()) {
    absl::StatusOr<std::string> text = io::ReadFile(verdicts_path);
    if (!text.ok()) return text.status();
    absl::Status status =
        internal::ForEachJsonObject(*text, verdicts_path, [&](simdjson::dom::object object) -> absl::Status {
          absl::StatusOr<std::optional<std::string>> account = internal::StringField(object, "account");
          if (!account.ok()) return account.status();
          if (!*account || (*account)->empty()) return absl::InvalidArgumentError("field account: required");
          absl::StatusOr<VerdictEntry> entry = VerdictEntry::FromJson(simdjson::minify(object), "account");
          if (!entry.ok()) return entry.status();
          if (entry->reason.empty()) entry->reason = "engine verdict";
          // "allow" says nothing to enforce; keep the set small.
          if (*entry->action == engine::Action::kAllow) return absl::OkStatus();
          return set.Set("account", **account, *std::move(entry));
        });
    if (!status.ok()) return status;
  }
  if (!campaigns_path.empty()) {
    absl::StatusOr<std::string> text = io::ReadFile(campaigns_path);
    if (!text.ok()) return text.status();
    simdjson::dom::parser parser;
    simdjson::dom::array campaigns;
    if (parser.parse(*text).at_key("campaigns").get_array().get(campaigns)) {
      return absl::InvalidArgumentError(fmt::format(
          "{}: expected {{\"campaigns\":[...]}} as written by hydraguard detect --campaigns", campaigns_path));
    }
    size_t campaign_idx = 0;
    for (simdjson::dom::element campaign : campaigns) {
      std::string_view id;
      simdjson::dom::array indicators;
      if (campaign.at_key("id").get_string().get(id) || campaign.at_key("indicators").get_array().get(indicators)) {
        return absl::InvalidArgumentError(
            fmt::format("{}: campaign #{}: needs \"id\" and \"indicators\"", campaigns_path, campaign_idx));
      }
      for (simdjson::dom::element indicator : indicators) {
        std::string_view type, value;
        if (indicator.at_key("type").get_string().get(type) || indicator.at_key("value").get_string().get(value)) {
          return absl::InvalidArgumentError(
              fmt::format("{}: campaign {}: an indicator needs \"type\" and \"value\"", campaigns_path, id));
        }
        if (!IsIndicatorKind(type)) continue;  // a kind this gateway cannot match on a request
        (void)set.Set(type, value,
                      VerdictEntry{.campaign = std::string(id), .reason = "indicator of " + std::string(id)});
      }
      ++campaign_idx;
    }
  }
  return set;
}

absl::StatusOr<VerdictSet> VerdictSet::FromHashEntries(const std::vector<std::pair<std::string, std::string>>& entries,
                                                       std::string_view origin) {
  VerdictSet set;
  for (const auto& [field, json] : entries) {
    size_t colon = field.find(':');
    std::string_view kind = std::string_view(field).substr(0, colon);
    if (colon == std::string::npos || !IsVerdictKind(kind)) {
      return absl::InvalidArgumentError(fmt::format("{}: field \"{}\": expected KIND:VALUE", origin, field));
    }
    absl::StatusOr<VerdictEntry> entry = VerdictEntry::FromJson(json, kind);
    if (!entry.ok())
      return absl::InvalidArgumentError(
          fmt::format("{}: field \"{}\": {}", origin, field, internal::Message(entry.status())));
    if (absl::Status status = set.Set(kind, std::string_view(field).substr(colon + 1), *std::move(entry));
        !status.ok()) {
      return absl::InvalidArgumentError(fmt::format("{}: field \"{}\": {}", origin, field, internal::Message(status)));
    }
  }
  return set;
}

absl::Status VerdictSet::Set(std::string_view kind, std::string_view value, VerdictEntry entry) {
  if (!IsVerdictKind(kind)) return absl::InvalidArgumentError(fmt::format("unknown verdict kind \"{}\"", kind));
  if (!entry.action && !IsIndicatorKind(kind)) {
    return absl::InvalidArgumentError(fmt::format("kind {} needs an action", kind));
  }
  absl::StatusOr<std::string> canonical = CanonicalVerdictValue(kind, value);
  if (!canonical.ok()) return canonical.status();
  entries_[EntryKey(kind, *canonical)] = std::move(entry);
  return absl::OkStatus();
}

bool VerdictSet::Remove(std::string_view kind, std::string_view value) {
  return entries_.erase(EntryKey(kind, value)) > 0;
}

void VerdictSet::Merge(const VerdictSet& other) {
  for (const auto& [key, entry] : other.entries_) entries_[key] = entry;
}

const VerdictEntry* VerdictSet::Find(std::string_view kind, std::string_view value) const {
  if (entries_.empty()) return nullptr;
  auto it = entries_.find(EntryKey(kind, value));
  return it == entries_.end() ? nullptr : &it->second;
}

Judgement VerdictSet::Evaluate(const RequestFacts& facts, const VerdictRules& rules) const {
  Judgement best{.source = "none"};
  if (entries_.empty()) return best;
  auto consider = [&best](engine::Action action, std::string_view campaign, std::string reason,
                          std::string_view source) {
    if (action <= best.action) return;
    best = Judgement{.action = action,
                     .campaign = std::string(campaign),
                     .reason = std::move(reason),
                     .source = std::string(source)};
  };
  std::string campaign = facts.campaign;
  if (const VerdictEntry* account = Find("account", facts.account)) {
    if (*account->action == engine::Action::kAllow) {
      // An operator's allow on an account (the engine's files never hold
      // one) vouches for it: no indicator or infrastructure match applies.
      return Judgement{.reason = "allowlisted: " + account->reason, .source = "account"};
    }
    consider(*account->action, account->campaign, "account verdict: " + account->reason, "account");
    if (campaign.empty()) campaign = account->campaign;
  }
  if (!campaign.empty()) {
    if (const VerdictEntry* entry = Find("campaign", campaign); entry && entry->action) {
      consider(*entry->action, campaign, "campaign " + campaign, "campaign");
    }
  }
  std::set<std::string_view> indicator_kinds;
  std::string indicator_campaign;
  for (const auto& [kind, value] : facts.values) {
    const VerdictEntry* entry = Find(kind, value);
    if (entry == nullptr) continue;
    if (entry->action) {
      std::string_view source = kind == "prompt_template" ? "template"
                                : IsIndicatorKind(kind)   ? "indicator"
                                                          : "infrastructure";
      consider(*entry->action, entry->campaign, fmt::format("{} {}", kind, value), source);
    } else {
      indicator_kinds.insert(kind);
      if (indicator_campaign.empty()) indicator_campaign = entry->campaign;
    }
  }
  if (!indicator_kinds.empty()) {
    bool strong = static_cast<int>(indicator_kinds.size()) >= rules.indicator_min_signals;
    std::string reason = fmt::format("indicators of {}: {}", indicator_campaign, fmt::join(indicator_kinds, "+"));
    consider(strong ? rules.indicator_action : rules.weak_indicator_action, indicator_campaign, reason,
             indicator_kinds.contains("prompt_template") && indicator_kinds.size() == 1 ? "template" : "indicator");
  }
  return best;
}

std::vector<std::tuple<std::string, std::string, const VerdictEntry*>> VerdictSet::List() const {
  std::vector<std::tuple<std::string, std::string, const VerdictEntry*>> out;
  for (const auto& [key, entry] : entries_) {
    size_t split = key.find(kSeparator);
    out.emplace_back(key.substr(0, split), key.substr(split + 1), &entry);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  return out;
}

std::shared_ptr<const VerdictSet> VerdictStore::Snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

void VerdictStore::ReplaceBase(VerdictSet base, bool drop_overrides) {
  std::lock_guard lock(mutex_);
  base_ = std::move(base);
  if (drop_overrides) {
    overrides_ = VerdictSet();
    removed_.clear();
  }
  Rebuild();
}

absl::Status VerdictStore::SetOverride(std::string_view kind, std::string_view value, VerdictEntry entry) {
  std::lock_guard lock(mutex_);
  if (absl::Status status = overrides_.Set(kind, value, std::move(entry)); !status.ok()) return status;
  std::erase(removed_, std::pair<std::string, std::string>(kind, value));
  Rebuild();
  return absl::OkStatus();
}

bool VerdictStore::RemoveOverride(std::string_view kind, std::string_view value) {
  std::lock_guard lock(mutex_);
  bool existed = overrides_.Remove(kind, value) || base_.Find(kind, value) != nullptr;
  if (base_.Find(kind, value) != nullptr) removed_.emplace_back(kind, value);
  Rebuild();
  return existed;
}

void VerdictStore::Rebuild() {
  auto merged = std::make_shared<VerdictSet>(base_);
  for (const auto& [kind, value] : removed_) merged->Remove(kind, value);
  merged->Merge(overrides_);
  snapshot_ = std::move(merged);
}

}  // namespace hydraguard::gateway
