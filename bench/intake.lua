-- intake.lua: wrk posts a realistic kiosk/form response, each with an id
-- of its own (the daemon would count a repeated id once and do no work).
-- The same bodies go to the no-work route and to the durable form route.

-- Globals on purpose: setup() runs in wrk's main state and hands each
-- thread its number with thread:set(), which sets a global there.
tid = 0
run = "0"
local counter = 0

function setup(thread)
   tid = tid + 1
   thread:set("tid", tid)
end

-- wrk ... -- RUN: a tag per run, so that no two runs share an id.
function init(args)
   counter = 0
   run = args[1] or "0"
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end

local visits = { 5, 4, 4, 5, 3, 2, 5, 4, 1, 5 }
local reasons = { "appointment", "advice", "benefits", "documents" }
local helped = { "yes", "yes", "partly", "no" }

function request()
   counter = counter + 1
   local n = counter
   local body = string.format(
      '{"id":"bench-%s-%d-%d","lang":"fi","answers":{"visit":%d,' ..
      '"reason":"%s","helped":"%s","comment":"Sain hyvää neuvontaa ' ..
      'ja asia hoitui kerralla, kiitos."}}',
      run, tid, n, visits[n % #visits + 1],
      reasons[n % #reasons + 1], helped[n % #helped + 1])
   return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
   local bad = summary.errors.status + summary.errors.connect +
      summary.errors.read + summary.errors.write + summary.errors.timeout
   io.write(string.format(
      'RESULT {"requests":%d,"duration_us":%d,"errors":%d,"bytes":%d,' ..
      '"p50_us":%d,"p99_us":%d}\n',
      summary.requests, summary.duration, bad, summary.bytes,
      latency:percentile(50), latency:percentile(99)))
end
