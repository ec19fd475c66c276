#!/usr/bin/env sh
# Runs the benchmarks and appends their results to target/bench/results.md.
#
#   bench/run.sh [people] [Benchmark ...]
#
# people: demo dataset size (default 20000; 1000000 gives about 10M events).
# Benchmarks: class names in src/test/java/dev/roster/bench (default: IngestBenchmark DemoBenchmark).
# Each is a main class run with the test classpath; the server under test is target/roster.jar
# started as a child JVM, so its RSS is the server's alone.
# Extra settings: BENCH_OPTS="-DtimelineRequests=5000 -Dclients=8 -DingestPeople=200000".
#
#   bench/run.sh reports [people]   # ReportBenchmark with the PostgreSQL 15 comparison
#                                   # (funnel, retention, trend vs hand-written SQL; not part of CI)
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = "reports" ]; then
    shift
    BENCH_OPTS="-Dpostgres=true ${BENCH_OPTS:-}"
    set -- "${1:-10000}" ReportBenchmark
fi
PEOPLE=${1:-20000}
[ $# -gt 0 ] && shift
BENCHMARKS=${*:-"IngestBenchmark DemoBenchmark"}

./mvnw -q -B -DskipTests package
for benchmark in $BENCHMARKS; do
    echo "== $benchmark (people=$PEOPLE)"
    MAVEN_OPTS="${MAVEN_OPTS:--Xmx2g}" ./mvnw -q -B org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
        -Dexec.classpathScope=test -Dexec.mainClass="dev.roster.bench.$benchmark" \
        -Dexec.cleanupDaemonThreads=false -Dpeople="$PEOPLE" ${BENCH_OPTS:-}
done
echo "Results appended to target/bench/results.md"
