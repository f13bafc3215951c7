// Account signals from where requests come from: proxy-like exits in many
// countries, hosting ranges, and IP countries unlike the billing country.
// VPN users and proxy customers show these too, so they only add up.
#include <optional>

#include "engine/signal.h"
#include "fmt/format.h"
#include "signals/ramp.h"

namespace hydraguard::signals {
namespace {

using engine::AccountFeatures;
using engine::Evidence;
using engine::Param;
using engine::SignalInfo;
using engine::SignalParams;
using ingest::Field;

// The billing country differs from the IP country.
class CountryMismatchSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"country_mismatch",
            "share of requests whose IP country is not the billing country",
            {Field::kBillingCountry},
            {{"weight", 0.6}, {"low_share", 0.2}, {"high_share", 0.7}}};
  }
  explicit CountryMismatchSignal(const SignalParams& p) : RampedSignal(p, "low_share", "high_share") {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    std::optional<double> share = f.CountryMismatchShare();
    if (!share) return std::nullopt;
    return Evidence{Points(*share), fmt::format("{:.0f}% of requests from outside the billing country", *share * 100)};
  }
};
HG_REGISTER_ACCOUNT_SIGNAL(CountryMismatchSignal);

// Exits in many countries: a rotating proxy pool.
class ExitCountriesSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"exit_countries",
            "distinct IP countries",
            {Field::kIpCountry},
            {{"weight", 0.6}, {"low_countries", 2}, {"high_countries", 5}}};
  }
  explicit ExitCountriesSignal(const SignalParams& p) : RampedSignal(p, "low_countries", "high_countries") {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    int countries = f.IpCountries();
    if (countries == 0) return std::nullopt;
    return Evidence{Points(countries), fmt::format("requests from {} countries", countries)};
  }
};
HG_REGISTER_ACCOUNT_SIGNAL(ExitCountriesSignal);

// Requests from listed datacenter or VPN ranges and ASNs (--netlists).
class HostingExitsSignal : public RampedSignal {
 public:
  static SignalInfo Info() {
    return {"hosting_exits",
            "share of requests from datacenter or VPN ranges (--netlists)",
            {},
            {{"weight", 0.3}, {"low_share", 0.05}, {"high_share", 0.5}},
            engine::Family::kNone,
            /*needs_netlists=*/true};
  }
  explicit HostingExitsSignal(const SignalParams& p) : RampedSignal(p, "low_share", "high_share") {}
  std::optional<Evidence> Score(const AccountFeatures& f) const override {
    double share = std::max(f.DatacenterShare(), f.VpnShare());
    if (share == 0) return std::nullopt;
    return Evidence{Points(share), fmt::format("{:.0f}% of requests from datacenter/VPN ranges", share * 100)};
  }
};
HG_REGISTER_ACCOUNT_SIGNAL(HostingExitsSignal);

}  // namespace
}  // namespace hydraguard::signals
