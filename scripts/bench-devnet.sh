#!/usr/bin/env bash
# Measures a devnet's committed tx/s and commit latency with `ascribe load`, with native
# libsecp256k1 (the default) and with the Bouncy Castle reference (the baseline, the node started
# with -Dascribe.secp256k1=bouncycastle), in the same run, on the same machine.
#
# For each block time and each backend it starts a fresh devnet on a temp data dir and free ports,
# runs the load RUNS times (seeds 1..RUNS, so every run has new senders), stops the devnet, and
# prints the median committed tx/s, the median of the runs' median and p99 commit latencies, and
# the ratio native/baseline of the medians.
#
#   scripts/bench-devnet.sh                    # block times 1000 and 250 ms, 3 runs each
#   BLOCK_TIMES=1000 RUNS=5 scripts/bench-devnet.sh
#
# Settings (environment): BLOCK_TIMES (ms, space-separated; default "1000 250"), RUNS (3),
# TXS (20000), SENDERS (200), KEEP=1 keeps the work directory (logs, load output).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BLOCK_TIMES=${BLOCK_TIMES:-"1000 250"}
RUNS=${RUNS:-3}
TXS=${TXS:-20000}
SENDERS=${SENDERS:-200}

work=$(mktemp -d "${TMPDIR:-/tmp}/ascribe-bench.XXXXXX")
node_pid=""

stop_node() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill -TERM "$node_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$node_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$node_pid" 2>/dev/null && kill -KILL "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  node_pid=""
}

cleanup() {
  stop_node
  if [ "${KEEP:-0}" = 1 ]; then
    echo "work directory kept: $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Two distinct free loopback ports (both held open while choosing, so they differ).
free_ports() {
  python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])
for x in s: x.close()'
}

# Median of the numbers on stdin, one a line.
median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan"; exit }
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Builds the distribution now (when stale) so no run pays for it.
./ascribe --help >/dev/null

# start_devnet NAME BLOCK_TIME JAVA_OPTS: starts a devnet, sets rpc_url and node_pid.
start_devnet() {
  local name=$1 block_time=$2 opts=$3
  local dir="$work/$name" rpc_port metrics_port
  mkdir -p "$dir"
  read -r rpc_port metrics_port < <(free_ports)
  ASCRIBE_JAVA_OPTS="$opts" ./ascribe devnet --data-dir "$dir/data" --rpc-port "$rpc_port" \
    --metrics-port "$metrics_port" --block-time "$block_time" >"$dir/node.log" 2>&1 &
  node_pid=$!
  for _ in $(seq 1 600); do
    [ -f "$dir/data/devnet.json" ] && break
    if ! kill -0 "$node_pid" 2>/dev/null; then
      echo "the devnet ($name) exited while starting; its log:" >&2
      cat "$dir/node.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  [ -f "$dir/data/devnet.json" ] || { echo "the devnet ($name) did not start in 60 s" >&2; exit 1; }
  rpc_url="http://127.0.0.1:$rpc_port"
}

# bench NAME BLOCK_TIME JAVA_OPTS: RUNS load runs on a fresh devnet; prints the per-run lines and
# leaves the figures in $work/NAME/{tps,median,p99}.
bench() {
  local name=$1 block_time=$2 opts=$3 dir="$work/$1"
  start_devnet "$name" "$block_time" "$opts"
  for seed in $(seq 1 "$RUNS"); do
    ./ascribe load --rpc "$rpc_url" --txs "$TXS" --senders "$SENDERS" --seed "$seed" \
      >"$dir/load-$seed.log" 2>&1 || {
      echo "load run $seed on $name failed:" >&2
      tail -n 20 "$dir/load-$seed.log" >&2
      exit 1
    }
    local line
    line=$(grep -E '^sent [0-9]+, committed' "$dir/load-$seed.log" | tail -n 1)
    echo "  $name seed $seed: $line"
    sed -E 's/.*: ([0-9.]+) committed tx\/s.*/\1/' <<<"$line" >>"$dir/tps"
    sed -E 's/.*median ([0-9]+) ms.*/\1/' <<<"$line" >>"$dir/median"
    sed -E 's/.*p99 ([0-9]+) ms.*/\1/' <<<"$line" >>"$dir/p99"
  done
  stop_node
}

summary=()
for block_time in $BLOCK_TIMES; do
  echo "== block time $block_time ms: $RUNS runs of $TXS transfers from $SENDERS senders each"
  bench "native-$block_time" "$block_time" ""
  bench "bouncycastle-$block_time" "$block_time" "-Dascribe.secp256k1=bouncycastle"
  tps_native=$(median <"$work/native-$block_time/tps")
  tps_base=$(median <"$work/bouncycastle-$block_time/tps")
  for backend in native bouncycastle; do
    d="$work/$backend-$block_time"
    summary+=("$(printf '%-6s %-13s %10s %18s %15s' "$block_time" "$backend" \
      "$(median <"$d/tps")" "$(median <"$d/median")" "$(median <"$d/p99")")")
  done
  summary+=("$(printf '%-6s %-13s %10s' "$block_time" "native/base" \
    "$(awk -v a="$tps_native" -v b="$tps_base" 'BEGIN { printf "%.2fx", a / b }')")")
done

echo
echo "Medians over $RUNS runs (committed tx/s; median and p99 commit latency in ms):"
printf '%-6s %-13s %10s %18s %15s\n' "block" "secp256k1" "tx/s" "latency median" "latency p99"
printf '%s\n' "${summary[@]}"
