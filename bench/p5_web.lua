-- wrk script for bench/p5_web.sh: GET a random path of P5_PATHS (one a line) with the
-- manager's session cookie (P5_COOKIE); each thread draws with its own seed (P5_SEED + n).
-- done() prints one line "P5 <label> requests=… rps=… p50=… p95=… p99=… non2xx=… errors=…"
-- (latencies in ms); any answer other than 2xx counts in non2xx (a 302 to the login page too).

local paths = {}
for line in io.lines(os.getenv("P5_PATHS")) do
  if line ~= "" then paths[#paths + 1] = line end
end
local cookie = os.getenv("P5_COOKIE") or ""
local label = os.getenv("P5_LABEL") or "run"
local seed = tonumber(os.getenv("P5_SEED") or "1")

local threads, counter = {}, 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(seed * 1000 + id)
  non2xx = 0
  first_bad = ""
end

function request()
  local path = paths[math.random(#paths)]
  return wrk.format("GET", path, { ["Cookie"] = cookie, ["Host"] = "127.0.0.1" })
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == "" then first_bad = tostring(status) end
  end
end

function done(summary, latency, requests)
  local bad, first = 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    local seen = thread:get("first_bad")
    if first == "" and seen ~= "" then first = seen end
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "P5 %s requests=%d rps=%.1f p50=%.1f p95=%.1f p99=%.1f max=%.1f non2xx=%d first_bad=%s"
      .. " errors=%d\n",
    label, summary.requests, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, bad, first ~= "" and first or "-",
    e.connect + e.read + e.write + e.timeout))
end
