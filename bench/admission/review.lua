-- wrk script: POST the AdmissionReview of review.json (or $REVIEW) to /validate.
-- With DELAY_MS set, each connection waits that long between requests, which paces the
-- load: CONNECTIONS * 1000 / DELAY_MS requests per second at most.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local path = os.getenv("REVIEW") or "bench/admission/review.json"
local f = assert(io.open(path, "r"))
wrk.body = f:read("*a")
f:close()

local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

local non_200 = 0
function response(status, headers, body)
  if status ~= 200 then
    non_200 = non_200 + 1
  end
end

function done(summary, latency, requests)
  io.write(string.format(
    "RESULT requests=%d duration_s=%.1f rate=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
      + summary.errors.timeout))
end
