#!/usr/bin/env bash
# The load test of `make bench` (bench/load.py) drives wrk; install the Debian package when it is missing.
set -euo pipefail
if command -v wrk >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing wrk for the load test..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
if ! command -v wrk >/dev/null; then
  echo "wrk is not installed and could not be installed (apt-get install wrk as root)." >&2
  exit 1
fi
