// The Lua scripts behind redis::AsyncLimiter: GcraAcquire and GcraAdjust
// (gateway/gcra.cc) in Redis, line for line, so that a limiter behaves the
// same in memory and in Redis. Change them together; limiter_parity_test.cc
// compares AsyncLimiter with gateway::MemoryLimiter call for call.
//
// A TAT is stored as a string with "%.17g", which round-trips a double
// exactly (Lua's own number-to-string keeps only 14 digits), so the state in
// Redis is bit for bit the state MemoryLimiter would hold. Every written key
// expires ceil(tat - now) + 1000 ms later: once the limiter is empty again,
// a missing key means the same as the stored TAT.
//
// Lua numbers are doubles, like the C++ arithmetic; the order of operations
// and the epsilons are the same as in gcra.cc.
#ifndef HYDRAGUARD_REDIS_INTERNAL_LIMITER_SCRIPT_H_
#define HYDRAGUARD_REDIS_INTERNAL_LIMITER_SCRIPT_H_

#include <string_view>

namespace hydraguard::redis::internal {

// KEYS[i]: the TAT of cell i of one group.
// ARGV[1]: now_ms; ARGV[3i-1], ARGV[3i], ARGV[3i+1]: limit, period_ms, cost of cell i.
// Charges every cell when all admit their cost, else none. Returns
// {group_allowed, then for each cell: allowed, remaining, retry_after_ms, reset_ms}.
// A cell that would have admitted, in a refused group, reports the remaining
// it had before (nothing was charged), as MemoryLimiter does.
inline constexpr std::string_view kAcquireScript = R"lua(
local now = tonumber(ARGV[1])
local steps = {}
local all = 1
for i = 1, #KEYS do
  local limit = tonumber(ARGV[3 * i - 1])
  local period = tonumber(ARGV[3 * i])
  local cost = tonumber(ARGV[3 * i + 1])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
  local emission = period / limit
  local tolerance = math.max(1e-6, math.min((limit + 1) * math.max(math.abs(tat), math.abs(now)) * 2 ^ -52, 0.5 * emission))
  local base = now
  if tat > now + tolerance then base = tat end
  local new_tat = base + cost * emission
  local units = math.max(1e-9, tolerance / emission)
  local s
  if cost > limit then
    s = {0, tat, math.max(0, math.floor((period - (base - now)) / emission + units)), period,
         math.max(0, math.ceil(base - now - tolerance))}
  elseif new_tat - now <= period + tolerance then
    s = {1, new_tat, math.max(0, math.floor((period - (new_tat - now)) / emission + units)), 0,
         math.max(0, math.ceil(new_tat - now - tolerance))}
  else
    s = {0, tat, math.max(0, math.floor((period - (base - now)) / emission + units)),
         math.max(1, math.ceil(new_tat - now - period - tolerance)), math.max(0, math.ceil(base - now - tolerance))}
  end
  if s[1] == 0 then all = 0 end
  s[6] = cost
  steps[i] = s
end
local out = {all}
for i = 1, #KEYS do
  local s = steps[i]
  if all == 1 then
    redis.call('SET', KEYS[i], string.format('%.17g', s[2]), 'PX', string.format('%d', math.ceil(s[2] - now) + 1000))
  end
  local remaining = s[3]
  if all == 0 and s[1] == 1 then remaining = remaining + s[6] end
  out[#out + 1] = s[1]
  out[#out + 1] = remaining
  out[#out + 1] = s[4]
  out[#out + 1] = s[5]
end
return out
)lua";

// KEYS[i], ARGV: as for kAcquireScript, with cost the units to add (negative:
// to give back). Adds them unchecked; a TAT never moves below now. Returns
// the number of cells.
inline constexpr std::string_view kAdjustScript = R"lua(
local now = tonumber(ARGV[1])
for i = 1, #KEYS do
  local limit = tonumber(ARGV[3 * i - 1])
  local period = tonumber(ARGV[3 * i])
  local delta = tonumber(ARGV[3 * i + 1])
  if delta ~= 0 then
    local tat = tonumber(redis.call('GET', KEYS[i]) or '0') or 0
    local base = math.max(tat, now)
    local new_tat = math.max(now, base + delta * (period / limit))
    redis.call('SET', KEYS[i], string.format('%.17g', new_tat), 'PX', string.format('%d', math.ceil(new_tat - now) + 1000))
  end
end
return #KEYS
)lua";

}  // namespace hydraguard::redis::internal

#endif  // HYDRAGUARD_REDIS_INTERNAL_LIMITER_SCRIPT_H_
