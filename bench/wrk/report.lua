-- wrk script for a plain GET (the bare /ping view): only a machine-readable summary line.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "CVJ_WRK requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d"
      .. " p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
