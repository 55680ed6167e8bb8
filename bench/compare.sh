#!/usr/bin/env bash
# Side-by-side load test of Stratus and Mosquitto with bench/loadgen (see docs/benchmarks.md,
# "Broker load tests vs Mosquitto"). Each scenario runs against a fresh broker, Stratus and Mosquitto
# alternately (the order flips every round), R rounds; prints medians and the Stratus/Mosquitto ratio.
#
# usage: bench/compare.sh [--quick] [--rounds R] [--warmup S] [--duration S] [--only s1,s2,...]
#                         [--stratus-app DIR] [--out DIR]      (or: --summarize DIR/results.tsv)
#   STRATUS_JAVA_OPTS: JVM options for Stratus (default: those of ./stratus; empty for the JVM's own defaults)
#   scenarios: fanin_q0 fanout_q0 pairs_q1 pairs_q2 latency_q1 idle qos2_inflight64
#   --quick: 1 round, 1 s warm-up, 3 s measured (about 3-4 minutes in all)
#   defaults: 3 rounds, 2 s warm-up, 8 s measured (about 11-13 minutes in all)
# Build first: ./mvnw -q -B install -DskipTests && ./mvnw -q -B -f bench/loadgen/pom.xml package
set -uo pipefail
cd "$(dirname "$0")/.."

ROUNDS=3
WARMUP=2
DURATION=8
ONLY=""
SUMMARIZE=""

APP=ingress/target/quarkus-app
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1; WARMUP=1; DURATION=3 ;;
    --rounds) ROUNDS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --stratus-app) APP=$2; shift ;;
    --out) OUT=$2; shift ;;
    --summarize) SUMMARIZE=$2; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

summarize() {
python3 - "$1" <<'EOF'
import sys, statistics
rows = []
for line in open(sys.argv[1]):
    rnd, name, broker, rc, cpu, res = line.rstrip('\n').split('\t', 5)
    kv = dict(p.split('=', 1) for p in res.split()[1:] if '=' in p)
    rows.append((name, broker, int(rc), float(cpu), kv))

# scenario -> (metric key, label, better)
METRICS = {
    'fanin_q0': [('throughput', 'msg/s received', 'higher')],
    'fanout_q0': [('throughput', 'deliveries/s received', 'higher')],
    'pairs_q1': [('throughput', 'msg/s received', 'higher')],
    'pairs_q2': [('throughput', 'msg/s received', 'higher')],
    'latency_q1': [('p50_us', 'p50 us', 'lower'), ('p99_us', 'p99 us', 'lower'), ('p999_us', 'p99.9 us', 'lower'),
                   ('max_us', 'max us', 'lower')],
    'idle': [('connects_per_s', 'connects/s (first 10k)', 'higher'),
             ('rss_per_conn_b', 'RSS B per idle connection (10k->19k)', 'lower')],
    'qos2_inflight64': [('throughput', 'msg/s received', 'higher'), ('lost_acked', 'acknowledged-but-lost', 'lower')],
}

def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None

def num(kv, k):
    try:
        return float(kv[k])
    except (KeyError, ValueError):
        return None

def fmt(v):
    if v is None:
        return 'n/a'
    return f'{v:,.1f}' if abs(v) < 100 else f'{v:,.0f}'

print()
print(f"{'scenario':<16} {'metric':<38} {'Stratus':>12} {'Mosquitto':>12} {'S/M':>7}  better  loss/dups (Stratus | Mosquitto), broker CPU s")
order = []
for r in rows:
    if r[0] not in order:
        order.append(r[0])
for name in order:
    for key, label, better in METRICS.get(name, []):
        vals = {}
        for b in ('stratus', 'mosquitto'):
            vals[b] = med([num(kv, key) for (n, br, rc, cpu, kv) in rows if n == name and br == b])
        s, m = vals['stratus'], vals['mosquitto']
        ratio = f'{s / m:.2f}' if s is not None and m not in (None, 0) else 'n/a'
        notes = []
        for b in ('stratus', 'mosquitto'):
            rs = [(rc, cpu, kv) for (n, br, rc, cpu, kv) in rows if n == name and br == b]
            lost = sum(int(kv.get('lost', 0) or 0) for _, _, kv in rs)
            dups = sum(int(kv.get('dups', 0) or 0) for _, _, kv in rs)
            la = sum(int(kv.get('lost_acked', 0) or 0) for _, _, kv in rs)
            sent = sum(int(kv.get('expected', 0) or 0) for _, _, kv in rs)
            bad = sum(1 for rc, _, _ in rs if rc != 0)
            undrained = sum(1 for _, _, kv in rs if kv.get('drained') == 'false')
            failed = sum(int(kv.get('failed', 0) or 0) + int(kv.get('closed', 0) or 0) for _, _, kv in rs)
            cpu = med([c for _, c, _ in rs])
            t = []
            if name == 'idle':
                t.append(f'failed/closed {failed}')
            else:
                t.append(f'lost {lost:,}' + (f' ({100.0 * lost / sent:.1f}%)' if sent and lost else ''))
                t.append(f'dups {dups:,}')
                if any('lost_acked' in kv for _, _, kv in rs):
                    t.append(f'acked-lost {la:,}')
            if undrained:
                t.append(f'{undrained} run(s) still delivering at the drain deadline (lost includes in-transit)')
            if bad:
                t.append(f'{bad} rc!=0')
            t.append(f'cpu {fmt(cpu)}')
            notes.append(', '.join(t))
        print(f"{name:<16} {label:<38} {fmt(s):>12} {fmt(m):>12} {ratio:>7}  {better:<6}  {notes[0]} | {notes[1]}")
EOF
}

if [ -n "$SUMMARIZE" ]; then summarize "$SUMMARIZE"; exit 0; fi

LOADGEN=bench/loadgen/target/loadgen.jar
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
# the options ./stratus starts the broker with (keep the two in step)
STRATUS_JAVA_OPTS=${STRATUS_JAVA_OPTS-"-XX:+UseSerialGC -Xmx512m -Xmn32m -XX:MetaspaceSize=96m"}
INFLIGHT=32          # stratus.limits.max-inflight = mosquitto max_inflight_messages
QUEUED=100000        # stratus.limits.max-queued   = mosquitto max_queued_messages
OUT=${OUT:-/tmp/stratus-compare-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
RESULTS=$OUT/results.tsv
: > "$RESULTS"

for f in "$LOADGEN" "$APP/quarkus-run.jar" "$MOSQUITTO"; do
  [ -e "$f" ] || { echo "missing $f (build first, see the header of this script)" >&2; exit 2; }
done
# as many descriptors as allowed: the idle scenario opens 19,000 connections (broker and generator each)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "open files limit: $(ulimit -n); results in $OUT; Stratus JVM options: ${STRATUS_JAVA_OPTS:-(none)}"

BPID=""
cleanup() { [ -n "$BPID" ] && kill -9 "$BPID" 2>/dev/null; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port() { # port timeout_s
  local end=$((SECONDS + $2))
  while [ $SECONDS -lt $end ]; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    kill -0 "$BPID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

cpu_ticks() { # utime + stime of BPID in clock ticks
  awk '{print $14 + $15}' "/proc/$BPID/stat" 2>/dev/null || echo 0
}

start_broker() { # name inflight log
  PORT=$(free_port)
  case "$1" in
    stratus)
      # shellcheck disable=SC2086
      java ${STRATUS_JAVA_OPTS:-} -Dstratus.mqtt.port="$PORT" -Dstratus.ws.port=-1 \
        -Dstratus.limits.max-inflight="$2" -Dstratus.limits.max-queued=$QUEUED \
        -jar "$APP/quarkus-run.jar" > "$3" 2>&1 &
      BPID=$! ;;
    mosquitto)
      cat > "$OUT/mosquitto.conf" <<EOF
listener $PORT 127.0.0.1
allow_anonymous true
max_queued_messages $QUEUED
max_inflight_messages $2
max_connections -1
persistence false
log_dest stderr
log_type error
log_type warning
EOF
      "$MOSQUITTO" -c "$OUT/mosquitto.conf" > "$3" 2>&1 &
      BPID=$! ;;
  esac
  if ! wait_port "$PORT" 30; then
    echo "  $1 did not open port $PORT; log: $3" >&2
    stop_broker
    return 1
  fi
}

stop_broker() {
  [ -n "$BPID" ] || return 0
  kill "$BPID" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$BPID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$BPID" 2>/dev/null
  wait "$BPID" 2>/dev/null
  BPID=""
}

# name | loadgen arguments | broker max inflight
SCENARIOS=(
  "fanin_q0|fan-in --qos 0 --publishers 10|$INFLIGHT"
  "fanout_q0|fan-out --qos 0 --subscribers 100|$INFLIGHT"
  "pairs_q1|pairs --qos 1 --pairs 50 --window $INFLIGHT|$INFLIGHT"
  "pairs_q2|pairs --qos 2 --pairs 10 --window $INFLIGHT|$INFLIGHT"
  "latency_q1|latency --qos 1 --rate 5000|$INFLIGHT"
  "idle|idle --connections 10000,19000 --settle 3s|$INFLIGHT"
  "qos2_inflight64|pairs --qos 2 --pairs 4 --window 64|64"
)

selected() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

run_one() { # round scenario broker args inflight
  local round=$1 name=$2 broker=$3 args=$4 inflight=$5
  local log="$OUT/$name-$broker-r$round"
  if ! start_broker "$broker" "$inflight" "$log.broker.log"; then
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$broker" 99 0 "RESULT broker_failed=1" >> "$RESULTS"
    return
  fi
  local extra=(--warmup "${WARMUP}s" --duration "${DURATION}s" --drain 8s)
  [ "$name" = idle ] && extra=(--broker-pid "$BPID")
  local c0 c1 rc
  c0=$(cpu_ticks)
  # shellcheck disable=SC2086
  timeout -k 5 $((WARMUP + DURATION + 90)) java -Xms256m -XX:+UseParallelGC -jar "$LOADGEN" $args \
    --host 127.0.0.1 --port "$PORT" "${extra[@]}" > "$log.out" 2>&1
  rc=$?
  c1=$(cpu_ticks)
  stop_broker
  local result
  result=$(grep '^RESULT' "$log.out" | tail -1)
  local cpu
  cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", (b-a)/hz}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$name" "$broker" "$rc" "$cpu" "${result:-RESULT none=1}" >> "$RESULTS"
  printf '  %-16s %-9s rc=%-3s broker_cpu=%5ss %s\n' "$name" "$broker" "$rc" "$cpu" \
    "$(echo "$result" | tr ' ' '\n' | grep -E '^(throughput|lost|dups|lost_acked|p50_us|p99_us|connects_per_s|rss_per_conn_b|failed)=' | tr '\n' ' ')"
}


START=$SECONDS
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round/$ROUNDS ($(date +%H:%M:%S))"
  for s in "${SCENARIOS[@]}"; do
    IFS='|' read -r name args inflight <<< "$s"
    selected "$name" || continue
    if [ $((round % 2)) -eq 1 ]; then order="stratus mosquitto"; else order="mosquitto stratus"; fi
    for broker in $order; do
      run_one "$round" "$name" "$broker" "$args" "$inflight"
    done
  done
done
echo "total time: $((SECONDS - START)) s"

summarize "$RESULTS"
