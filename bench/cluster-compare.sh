#!/usr/bin/env bash
# Cross-node throughput of a Stratus cluster against a single node, same machine, same run, alternating:
#   single  one embedded node (in-memory state), publishers and subscribers on it
#   local   one cluster node on Redis, publishers and subscribers on it
#   cross   two cluster nodes on one Redis, publishers on node A, subscribers on node B
# Workloads: pairs QoS 1, fan-in QoS 0 (throughput), latency QoS 1 at a fixed rate (p50/p99/p99.9; bench/loadgen);
# also pairs-qos1-persistent and pairs-qos2-persistent (clean session 0: in a cluster every message is written ahead
# to the subscriber's Redis queue, QoS 2 with its delivery id), not in the default set.
# Prints every run and the medians, and cross/single.
# Build first: ./mvnw -q -B install -DskipTests && ./mvnw -q -B -f bench/loadgen/pom.xml package
# Usage: bench/cluster-compare.sh [--rounds N] [--duration S] [--out DIR] [--setups "single local cross"]
#                                 [--workloads "pairs-qos1 fanin-qos0 latency-qos1"]
# JVM options for the broker nodes: NODE_OPTS (every node), NODE_A_OPTS / NODE_B_OPTS (cross: the publishers' node
# A / the subscribers' node B; local and single use node A's), e.g. to profile the receiving node:
#   NODE_B_OPTS='-XX:StartFlightRecording=duration=30s,filename=/tmp/b.jfr' bench/cluster-compare.sh --rounds 1 \
#     --setups cross --workloads fanin-qos0
# STRATUS_APP: another build of the broker (default ingress/target/quarkus-app/quarkus-run.jar), e.g. to measure
# the commit before a change in the same session.
set -uo pipefail
cd "$(dirname "$0")/.."
ROUNDS=3
DURATION=6
WARMUP=2
OUT=target/cluster-bench
SETUPS="single local cross"
WORKLOADS="pairs-qos1 fanin-qos0 latency-qos1"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --setups) SETUPS=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
APP=${STRATUS_APP:-ingress/target/quarkus-app/quarkus-run.jar}
LOADGEN=bench/loadgen/target/loadgen.jar
RESULTS="$OUT/results.tsv"
: > "$RESULTS"

redis_bin=$(command -v redis-server || true)
if [ -z "$redis_bin" ]; then
  emb=~/.m2/repository/com/github/codemonstur/embedded-redis/1.4.4/embedded-redis-1.4.4.jar
  [ -f "$emb" ] || ./mvnw -q -B dependency:get -Dartifact=com.github.codemonstur:embedded-redis:1.4.4
  unzip -o -q "$emb" redis-server-6.2.6-v5-linux-amd64 -d "$OUT" && chmod +x "$OUT/redis-server-6.2.6-v5-linux-amd64"
  redis_bin="$OUT/redis-server-6.2.6-v5-linux-amd64"
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 200); do (echo > /dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

PIDS=()
stop_all() { kill "${PIDS[@]}" 2>/dev/null; wait "${PIDS[@]}" 2>/dev/null; PIDS=(); }
trap stop_all EXIT

node() { # port [redis port] [node id]
  local extra=() opts
  [ -n "${2:-}" ] && extra=(-Dstratus.cluster.redis-url="redis://127.0.0.1:$2" -Dstratus.cluster.node-id="$3")
  if [ "${3:-a}" = b ]; then opts=${NODE_B_OPTS:-}; else opts=${NODE_A_OPTS:-}; fi
  # shellcheck disable=SC2086 # word splitting of the option lists is intended
  java ${NODE_OPTS:-} $opts -Dstratus.mqtt.port="$1" -Dstratus.ws.port=-1 -Dquarkus.http.port=0 -Dstratus.sys.interval=0 "${extra[@]}" \
    -jar "$APP" > "$OUT/node-$1.log" 2>&1 &
  PIDS+=($!)
  wait_port "$1"
}

run() { # round setup workload
  local pa pb rp args
  pa=$(free_port)
  case "$2" in
    single) node "$pa"; pb=$pa ;;
    local) rp=$(free_port); "$redis_bin" --port "$rp" --bind 127.0.0.1 --save "" --appendonly no > /dev/null 2>&1 &
           PIDS+=($!); wait_port "$rp"; node "$pa" "$rp" a; pb=$pa ;;
    cross) rp=$(free_port); "$redis_bin" --port "$rp" --bind 127.0.0.1 --save "" --appendonly no > /dev/null 2>&1 &
           PIDS+=($!); wait_port "$rp"; node "$pa" "$rp" a; pb=$(free_port); node "$pb" "$rp" b ;;
  esac
  case "$3" in
    pairs-qos1) args=(pairs --pairs 20 --qos 1) ;;
    pairs-qos1-persistent) args=(pairs --pairs 20 --qos 1 --persistent true) ;;
    pairs-qos2-persistent) args=(pairs --pairs 10 --qos 2 --persistent true) ;;
    fanin-qos0) args=(fan-in --publishers 10 --subscribers 1 --qos 0) ;;
    latency-qos1) args=(latency --qos 1 --rate 5000) ;;
  esac
  timeout -k 5 $((WARMUP + DURATION + 60)) java -Xms256m -XX:+UseParallelGC -jar "$LOADGEN" "${args[@]}" \
    --host 127.0.0.1 --port "$pa" --sub-port "$pb" --warmup "${WARMUP}s" --duration "${DURATION}s" --drain 8s \
    > "$OUT/run-$1-$2-$3.out" 2>&1
  local result
  result=$(grep '^RESULT' "$OUT/run-$1-$2-$3.out" | tail -1)
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$result" | tee -a "$RESULTS"
  stop_all
}

for round in $(seq 1 "$ROUNDS"); do
  for w in $WORKLOADS; do
    for s in $SETUPS; do
      run "$round" "$s" "$w"
    done
  done
done

python3 - "$RESULTS" <<'PY'
import sys, statistics, re
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l.strip()]
med = {}
lat = {}
for r in rows:
    m = re.search(r'throughput=([0-9.]+)', r[3])
    if m:
        med.setdefault((r[2], r[1]), []).append(float(m.group(1)))
    for q in ("p50_us", "p99_us", "p999_us"):
        m = re.search(q + r'=([0-9.]+)', r[3])
        if m:
            lat.setdefault((r[2], r[1], q), []).append(float(m.group(1)))
if med:
    print("workload\tsetup\tmedian deliveries/s\tvs single")
for w in ("pairs-qos1", "pairs-qos1-persistent", "pairs-qos2-persistent", "fanin-qos0"):
    if not any(k[0] == w for k in med):
        continue
    base = statistics.median(med.get((w, "single"), [0])) or 1
    for s in ("single", "local", "cross"):
        v = statistics.median(med.get((w, s), [0]))
        print(f"{w}\t{s}\t{v:,.0f}\t{v / base:.2f}x")
if lat:
    print("workload\tsetup\tp50 us\tp99 us\tp99.9 us\tp99 vs single")
    for s in ("single", "local", "cross"):
        p = [statistics.median(lat.get(("latency-qos1", s, q), [0])) for q in ("p50_us", "p99_us", "p999_us")]
        base = statistics.median(lat.get(("latency-qos1", "single", "p99_us"), [0])) or 1
        print(f"latency-qos1\t{s}\t{p[0]:,.0f}\t{p[1]:,.0f}\t{p[2]:,.0f}\t{p[1] / base:.2f}x")
PY
