#!/usr/bin/env bash
# Benchmarks: each prints its figures; none asserts a time. Sizes can be overridden, e.g.
#   BENCH_MEMBERS=100000 make bench
set -euo pipefail
cd "$(dirname "$0")/.."
MEMBERS="${BENCH_MEMBERS:-1000000}"
MONTHS="${BENCH_MONTHS:-24}"
for bench in bench/bench_*.py; do
  echo "== $bench"
  python "$bench" --members "$MEMBERS" --months "$MONTHS"
done
