// Lookups in the shared datacenter/VPN lists (~63,000 prefixes).
#include <benchmark/benchmark.h>

#include <random>

#include "netinfo/network_lists.h"

namespace hydraguard::netinfo {
namespace {

void BM_ClassifyIpv4(benchmark::State& state) {
  absl::StatusOr<NetworkLists> lists =
      NetworkLists::LoadDirectory(std::string(HG_SOURCE_DIR) + "/../shared/data/netlists");
  if (!lists.ok()) {
    state.SkipWithError("../shared/data/netlists not found");
    return;
  }
  std::mt19937 rng(1);
  std::vector<ingest::IpAddress> ips;
  for (int index = 0; index < 4096; ++index) ips.push_back(ingest::IpAddress::FromV4(rng()));
  size_t index = 0;
  for (auto _ : state) benchmark::DoNotOptimize(lists->Classify(ips[index++ & 4095]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClassifyIpv4);

}  // namespace
}  // namespace hydraguard::netinfo
