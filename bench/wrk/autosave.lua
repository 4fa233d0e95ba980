-- wrk script: POST /journeys/<id>/autosave/ as a logged-in strategist, no think time.
--
-- wrk -s autosave.lua URL -- COOKIE CSRFTOKEN IDS NTHREADS NONCE [TARGET] [FIELD]
--   IDS       comma-separated journey ids; thread t owns ids t, t+NTHREADS, … (its "slots")
--   NONCE     makes this run's values unique (the database is reset to "" before each run)
--
-- Each thread cycles round-robin through its own slots, so one slot's next save is only sent
-- after every other slot of the thread had a turn: with many more slots than connections the
-- previous save of a slot has completed. `base` is the slot's last *confirmed* stored text,
-- taken from the responses (200: "value"; 409: "theirs"), exactly as the editor does — so a
-- request wrk prepared but never sent cannot desynchronise a slot, and a conflict (409) only
-- happens when two saves of one slot were in flight at once. Responses are classified from
-- the JSON body: saved / unchanged / conflict / invalid / other.

local threads = {}
local next_tid = 1

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

local function urlencode(s)
  return (string.gsub(s, "[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  local cookie, csrf, ids, nthreads = args[1], args[2], args[3], tonumber(args[4])
  nonce = args[5] or "r"
  target = urlencode(args[6] or "stage:aware")
  field = args[7] or "goal"
  slots = {}
  by_id = {}
  local all = {}
  for id in string.gmatch(ids, "%d+") do table.insert(all, id) end
  for i = tid, #all, nthreads do
    local slot = { id = all[i], n = 0, confirmed = "" }
    table.insert(slots, slot)
    by_id[all[i]] = slot
  end
  if #slots == 0 then error("thread " .. tid .. " has no journey to save to") end
  cursor = 1
  saved, unchanged, conflict, invalid, other = 0, 0, 0, 0, 0
  headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = csrf,
    ["X-CVJ-Autosave"] = "1",
    ["X-Requested-With"] = "XMLHttpRequest",
  }
end

function request()
  local slot = slots[cursor]
  cursor = cursor % #slots + 1
  slot.n = slot.n + 1
  local value = "Goal " .. nonce .. " " .. slot.id .. " #" .. slot.n
  local body = "target=" .. target .. "&field=" .. field
    .. "&value=" .. urlencode(value) .. "&base=" .. urlencode(slot.confirmed)
  return wrk.format("POST", "/journeys/" .. slot.id .. "/autosave/", headers, body)
end

local function confirm(text)
  local id = text and string.match(text, "^Goal %S+ (%d+) #%d+$")
  if id and by_id[id] then by_id[id].confirmed = text end
end

function response(status, hdrs, body)
  local kind = body and string.match(body, '"status":%s*"(%a+)"')
  if status == 200 then confirm(string.match(body or "", '"value":%s*"([^"]*)"'))
  elseif status == 409 then confirm(string.match(body or "", '"theirs":%s*"([^"]*)"')) end
  if status == 200 and kind == "saved" then saved = saved + 1
  elseif status == 200 and kind == "unchanged" then unchanged = unchanged + 1
  elseif status == 409 then conflict = conflict + 1
  elseif status == 422 then invalid = invalid + 1
  else other = other + 1 end
end

function done(summary, latency, requests)
  local t = { saved = 0, unchanged = 0, conflict = 0, invalid = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get(k) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    "CVJ_WRK requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d"
      .. " p50_us=%d p90_us=%d p99_us=%d max_us=%d"
      .. " saved=%d unchanged=%d conflict=%d invalid=%d other=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, t.saved, t.unchanged, t.conflict, t.invalid, t.other))
end
