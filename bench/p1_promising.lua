-- wrk script for P1: POST /api/v1/orders with varied customers, SKUs, quantities and dates.
--
-- Environment: P1_DATA (data.lua written by `p1_promising.py prepare`), P1_DRY_RUN=1 for dry
-- runs, P1_EARLY_SHARE / P1_HUGE_SHARE (share of lines asking for today, before the delivery
-- lead time, or for far more than the stock: both are answered with a counter-offer).
-- Orders come from customers the rules let order without a manager, for 1 line (50 %),
-- 2 (30 %) or 3 (20 %) distinct SKUs among those their group may order, 1-5 units each,
-- dated over the next four weeks. done() prints one "P1 key=value ..." line for the report.

local data = dofile(assert(os.getenv("P1_DATA"), "set P1_DATA to the data.lua of `p1_promising.py prepare`"))
local dry_run = os.getenv("P1_DRY_RUN") == "1"
local early_share = tonumber(os.getenv("P1_EARLY_SHARE") or "0.03")
local huge_share = tonumber(os.getenv("P1_HUGE_SHARE") or "0.01")
local seed = tonumber(os.getenv("P1_SEED") or "1")

local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. data.token,
  ["Host"] = "127.0.0.1",
}

-- per-thread counters (read back by done() through thread:get)
generated, lines = 0, 0
s2xx, s3xx, s4xx, s5xx = 0, 0, 0, 0
d_commit, d_counter, d_hold, d_decline = 0, 0, 0, 0

local threads = {}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(seed * 1000 + (id or 0))
  for _ = 1, 10 do math.random() end
end

local function pick_skus(allowed, n)  -- n distinct SKUs among the customer's allowed ones
  if n > #allowed then n = #allowed end
  local chosen, seen = {}, {}
  while #chosen < n do
    local index = allowed[math.random(#allowed)]
    if not seen[index] then
      seen[index] = true
      chosen[#chosen + 1] = data.skus[index]
    end
  end
  return chosen
end

function request()
  local customer = data.customers[math.random(#data.customers)]
  local r = math.random()
  local skus = pick_skus(customer[2], (r < 0.5 and 1) or (r < 0.8 and 2) or 3)
  local parts = {}
  for i, sku in ipairs(skus) do
    local quantity = math.random(1, 5)
    local day = data.dates[math.random(#data.dates)]
    local roll = math.random()
    if roll < early_share then
      day = data.early_date
    elseif roll < early_share + huge_share then
      quantity = data.huge_quantity
    end
    parts[i] = string.format(
      '{"sku":"%s","quantity":"%d","requested_date":"%s","accept_partial":%s}',
      sku, quantity, day, math.random() < 0.5 and "true" or "false")
  end
  local body = string.format(
    '{"customer":"%s","ship_complete":false,"dry_run":%s,"lines":[%s]}',
    customer[1], dry_run and "true" or "false", table.concat(parts, ","))
  generated = generated + 1
  lines = lines + #skus
  return wrk.format("POST", "/api/v1/orders", headers, body)
end

function response(status, headers, body)
  if status < 300 then
    s2xx = s2xx + 1
    local decision = string.match(body, '"decision":%s*"(%a+)"')  -- the order's, first
    if decision == "commit" then d_commit = d_commit + 1
    elseif decision == "counter" then d_counter = d_counter + 1
    elseif decision == "hold" then d_hold = d_hold + 1
    elseif decision == "decline" then d_decline = d_decline + 1 end
  elseif status < 400 then
    s3xx = s3xx + 1
  elseif status < 500 then
    s4xx = s4xx + 1
  else
    s5xx = s5xx + 1
  end
end

function done(summary, latency, requests)
  local totals = {}
  local names = {"generated", "lines", "s2xx", "s3xx", "s4xx", "s5xx",
                 "d_commit", "d_counter", "d_hold", "d_decline"}
  for _, name in ipairs(names) do totals[name] = 0 end
  for _, thread in ipairs(threads) do
    for _, name in ipairs(names) do
      totals[name] = totals[name] + (tonumber(thread:get(name)) or 0)
    end
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "P1 requests=%d seconds=%.3f rate=%.2f p50=%d p90=%d p99=%d p999=%d max=%d mean=%.0f " ..
    "e_connect=%d e_read=%d e_write=%d e_timeout=%d e_status=%d " ..
    "generated=%d lines=%d s2xx=%d s3xx=%d s4xx=%d s5xx=%d " ..
    "d_commit=%d d_counter=%d d_hold=%d d_decline=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status,
    totals.generated, totals.lines, totals.s2xx, totals.s3xx, totals.s4xx, totals.s5xx,
    totals.d_commit, totals.d_counter, totals.d_hold, totals.d_decline))
end
