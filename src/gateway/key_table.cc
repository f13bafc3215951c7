#include "gateway/key_table.h"

#include "absl/strings/ascii.h"
#include "fmt/format.h"
#include "gateway/internal/json_lines.h"
#include "io/read_file.h"

namespace hydraguard::gateway {
namespace {

// Reads every identity field of `object` into *identity.
absl::Status ReadIdentity(simdjson::dom::object object, Identity* identity) {
  absl::StatusOr<std::optional<std::string>> account = internal::StringField(object, "account");
  if (!account.ok()) return account.status();
  if (!*account || (*account)->empty()) return absl::InvalidArgumentError("field account: required");
  identity->account = std::move(**account);
  struct Text {
    std::string_view field;
    std::string* target;
  };
  for (const Text& text :
       {Text{"org", &identity->org}, Text{"tier", &identity->tier}, Text{"payment", &identity->payment},
        Text{"email_domain", &identity->email_domain}, Text{"campaign", &identity->campaign}}) {
    absl::StatusOr<std::optional<std::string>> value = internal::StringField(object, text.field);
    if (!value.ok()) return value.status();
    if (*value) *text.target = std::move(**value);
  }
  identity->email_domain = absl::AsciiStrToLower(identity->email_domain);
  absl::StatusOr<std::optional<std::string>> verified = internal::StringField(object, "verified");
  if (!verified.ok()) return verified.status();
  if (*verified) {
    std::optional<ingest::Verification> level = ingest::ParseVerification(**verified);
    if (!level) {
      return absl::InvalidArgumentError(fmt::format(
          "field verified: unknown level \"{}\": expected none, email, phone, payment, id or enterprise", **verified));
    }
    identity->verified = *level;
  }
  absl::StatusOr<std::optional<int64_t>> created = internal::TimeField(object, "created");
  if (!created.ok()) return created.status();
  if (*created) identity->created_ms = **created;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<KeyTable> KeyTable::Parse(std::string_view text, std::string_view origin) {
  KeyTable table;
  absl::Status status = internal::ForEachJsonObject(text, origin, [&](simdjson::dom::object object) -> absl::Status {
    absl::StatusOr<std::optional<std::string>> key = internal::StringField(object, "key");
    if (!key.ok()) return key.status();
    if (!*key || (*key)->empty()) return absl::InvalidArgumentError("field key: required");
    Identity identity;
    if (absl::Status read = ReadIdentity(object, &identity); !read.ok()) return read;
    if (!table.identities_.emplace(std::move(**key), std::move(identity)).second) {
      return absl::InvalidArgumentError("field key: the same key appears twice");
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return table;
}

absl::StatusOr<KeyTable> KeyTable::LoadFile(const std::string& path) {
  absl::StatusOr<std::string> text = io::ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path);
}

absl::StatusOr<KeyTable> KeyTable::FromHashEntries(const std::vector<std::pair<std::string, std::string>>& entries,
                                                   std::string_view origin) {
  KeyTable table;
  simdjson::dom::parser parser;
  for (const auto& [api_key, json] : entries) {
    simdjson::dom::object object;
    Identity identity;
    absl::Status status;
    if (parser.parse(json.data(), json.size()).get_object().get(object)) {
      status = absl::InvalidArgumentError("value: not a JSON object");
    } else {
      status = ReadIdentity(object, &identity);
    }
    if (!status.ok()) {
      // Never echo a whole key into logs: its first characters identify it.
      return absl::InvalidArgumentError(
          fmt::format("{}: key {}...: {}", origin, api_key.substr(0, 8), internal::Message(status)));
    }
    table.identities_.emplace(api_key, std::move(identity));
  }
  return table;
}

const Identity* KeyTable::Find(std::string_view api_key) const {
  auto it = identities_.find(absl::string_view(api_key.data(), api_key.size()));
  return it == identities_.end() ? nullptr : &it->second;
}

}  // namespace hydraguard::gateway
