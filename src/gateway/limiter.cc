#include "gateway/limiter.h"

namespace hydraguard::gateway {

std::string CellKey(std::string_view tag, std::string_view name) {
  std::string key;
  key.reserve(tag.size() + name.size() + 6);
  key.append("hg:{").append(tag).append("}:").append(name);
  return key;
}

}  // namespace hydraguard::gateway
