#!/bin/sh
# rss.sh DATA "JVM OPTS": starts roster serve, waits until it listens, prints peak/now RSS and heap
DATA=$1; OPTS=$2; PORT=$(( 40000 + $$ % 10000 ))
LOG=$(mktemp)
START=$(date +%s.%N)
java $OPTS -jar target/roster.jar serve --data "$DATA" --port $PORT > $LOG 2>&1 &
PID=$!
PEAK=0
while kill -0 $PID 2>/dev/null; do
  R=$(grep VmRSS /proc/$PID/status 2>/dev/null | tr -dc 0-9); [ -n "$R" ] && [ "$R" -gt "$PEAK" ] && PEAK=$R
  grep -q "Listening on" $LOG && break
  sleep 0.2
done
END=$(date +%s.%N)
sleep 1
echo "opts=[$OPTS] ready_s=$(echo "$END - $START" | bc) peak_rss_mib=$((PEAK/1024)) hwm=$(grep VmHWM /proc/$PID/status) now=$(grep VmRSS /proc/$PID/status) load=$(cut -d' ' -f1 /proc/loadavg)"
grep "loaded identity" $LOG | sed 's/.*INFO//'
jcmd $PID GC.heap_info 2>/dev/null | head -3
kill $PID; wait $PID 2>/dev/null
rm -f $LOG
