-- wrk script for bench/http_load.py: cycles through the request paths in the file $WRK_REQUESTS (one a
-- line), each thread from its own offset, with the Accept header $WRK_ACCEPT. With $WRK_UNIQUE=1
-- each request gets a fresh SPARQL comment appended ("\n#<thread>-<n>"), so no result cache can
-- answer it. done() prints one line "WRK_RESULT {json}" for the harness.

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(os.getenv("WRK_REQUESTS")) do
    if #line > 0 then table.insert(paths, line) end
  end
  unique = os.getenv("WRK_UNIQUE") == "1"
  headers = {Accept = os.getenv("WRK_ACCEPT") or "application/sparql-results+json"}
  index = (id * 7919) % #paths
end

function request()
  index = index % #paths + 1
  local path = paths[index]
  if unique then
    counter = counter + 1
    path = path .. "%0A%23" .. id .. "-" .. counter
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
