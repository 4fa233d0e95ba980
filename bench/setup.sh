#!/usr/bin/env bash
# Install what the benchmarks need beyond the project's own install, only when it is missing.
# Idempotent: safe to call before every benchmark (the scripts do).
#   wrk       - HTTP load generator (Debian package), used by bench/autosave.py
#   chromium  - headless print-to-PDF for the side-by-side in bench/pdf.py
#   postgresql-client, redis-server - createdb/dropdb/pg_isready and a throwaway broker
set -euo pipefail

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "bench/setup.sh: installing ${missing[*]} (Debian packages)…" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "bench/setup.sh: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "bench/setup.sh: done." >&2
