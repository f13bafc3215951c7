-- wrk script for scripts/bench_gateway.sh: request i carries
-- "x-api-key: bench-key-(i mod HG_KEYS)", so the gateway's limiters are
-- spread over many keys (accounts) as in production, not one hot key.
--
--   HG_KEYS=1000 HG_METHOD=POST HG_BODY='{"model":...}' \
--     wrk -t1 -c32 -d10s --latency -s bench/wrk/keys.lua http://127.0.0.1:PORT/v1/messages
--
-- HG_METHOD defaults to GET, HG_BODY to none (a body gets
-- Content-Type: application/json). The requests are formatted once, in
-- init, so that the load generator spends its time sending them. At the end
-- one machine-readable line is printed:
--   HGRESULT requests=N rps=R p50_us=A p90_us=B p99_us=C non2xx=D errors=E
local requests = {}
local next_index = 0

function init(args)
  local keys = tonumber(os.getenv("HG_KEYS") or "1000")
  local method = os.getenv("HG_METHOD") or "GET"
  local body = os.getenv("HG_BODY")
  if body == "" then body = nil end
  for i = 0, keys - 1 do
    local headers = { ["x-api-key"] = "bench-key-" .. i, ["anthropic-version"] = "2023-06-01" }
    if body then headers["Content-Type"] = "application/json" end
    requests[i + 1] = wrk.format(method, nil, headers, body)
  end
end

function request()
  next_index = next_index % #requests + 1
  return requests[next_index]
end

function done(summary, latency, _)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("HGRESULT requests=%d rps=%.0f p50_us=%d p90_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50),
    latency:percentile(90), latency:percentile(99), summary.errors.status, errors))
end
