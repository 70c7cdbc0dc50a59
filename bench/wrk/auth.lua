-- wrk script: sends `Authorization: Bearer $LX_ACCESS_TOKEN` (no token logic: the token was
-- exchanged once by the harness) and prints one JSON line with the results at the end.
--   LX_ACCESS_TOKEN=... wrk -t1 -c1 -d5s -s bench/wrk/auth.lua http://127.0.0.1:PORT/path
local token = os.getenv("LX_ACCESS_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"bench":"wrk","requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency":{"mean_us":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max))
end
