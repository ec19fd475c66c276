#!/bin/sh
# The quiet-machine run of BENCHMARKS.md: the dashboard (twice), the reports with PostgreSQL, the
# populations and the revenue report at 1M people, each benchmark alone on a fresh copy of a demo
# dataset that the current code has opened once (migrations done; stop that server with SIGTERM).
#
#   ROSTER_ADMIN_PASSWORD=... bench/quiet-run.sh /path/to/demo-1000000
set -eu
cd "$(dirname "$0")/.."
SOURCE=${1:?usage: bench/quiet-run.sh DEMO_DIR (a 1M-people demo directory)}
: "${ROSTER_ADMIN_PASSWORD:?set ROSTER_ADMIN_PASSWORD to the dataset's admin password}"
export ROSTER_ADMIN_PASSWORD
fresh() { rm -rf target/bench/demo-1000000 && mkdir -p target/bench && cp -r "$SOURCE" target/bench/demo-1000000; }
run() { echo "=== $1 $(date +%T) load $(cut -d' ' -f1 /proc/loadavg)"; }
for i in 1 2; do
    fresh; run "Dashboard $i"
    BENCH_OPTS="-Ddata=target/bench/demo-1000000 -Dreuse=true -Drounds=3" bench/run.sh 1000000 DashboardBenchmark 2>&1 \
        | grep -v "^\s*\[roster\]" | grep -E "round [1-3] revenue|^###|^\|"
done
fresh; run "Reports and PostgreSQL"
BENCH_OPTS="-Ddata=target/bench/demo-1000000 -Dreuse=true -Dltv=false" bench/run.sh reports 1000000 2>&1 \
    | grep -v "^\s*\[roster\]" | grep -A16 "^### Report"
fresh; run Populations
BENCH_OPTS="-Ddata=target/bench/demo-1000000 -Dreuse=true" bench/run.sh 1000000 PopulationBenchmark 2>&1 \
    | grep -v "^\s*\[roster\]" | grep -A14 "^### Popul"
fresh; run Revenue
BENCH_OPTS="-Ddata=target/bench/demo-1000000 -Dreuse=true" bench/run.sh 1000000 RevenueBenchmark 2>&1 \
    | grep -v "^\s*\[roster\]" | grep -A14 "^### Reven"
run done
