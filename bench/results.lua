-- results.lua: wrk GETs one URL, with a bearer token when one is given
-- (the results routes need it; the no-work route ignores it), and prints
-- one RESULT line of JSON for bench/run-results.
--
--   wrk ... -s bench/results.lua URL -- TOKEN|-

function init(args)
   wrk.method = "GET"
   local token = args[1]
   if token ~= nil and token ~= "" and token ~= "-" then
      wrk.headers["Authorization"] = "Bearer " .. token
   end
end

function done(summary, latency, requests)
   local bad = summary.errors.status + summary.errors.connect +
      summary.errors.read + summary.errors.write + summary.errors.timeout
   io.write(string.format(
      'RESULT {"requests":%d,"duration_us":%d,"errors":%d,' ..
      '"mean_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d}\n',
      summary.requests, summary.duration, bad, latency.mean,
      latency:percentile(50), latency:percentile(90),
      latency:percentile(99)))
end
