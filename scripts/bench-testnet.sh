#!/usr/bin/env bash
# Committed tx/s and finality latency of a local testnet under `ascribe load`, for 1 validator
# and for 4 validators (separate processes on loopback deciding blocks by Tendermint consensus),
# measured in one run on one machine. The load is spread over every validator's RPC (each sender
# always through the same one, as a network's clients are); validator 0 funds the senders and is
# watched for commits. Latency is from submission to the head that carries the
# transaction (final on commit). Each testnet gets RUNS bursts (every transfer sent as fast as the
# node takes it: the capacity, whose latencies are mostly queueing) and RUNS paced runs at RATE
# transfers per second (open-loop: finality at that load).
#
#   scripts/bench-testnet.sh
#   VALIDATORS="1 4 7" RUNS=5 BLOCK_TIME=500 RATE=2000 scripts/bench-testnet.sh
#
# Settings (environment): VALIDATORS ("1 4"), RUNS (3), TXS (20000), SENDERS (200),
# BLOCK_TIME (ms, 1000), RATE (tx/s, 1500), KEEP=1 keeps the work directory.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
VALIDATORS=${VALIDATORS:-"1 4"}
RUNS=${RUNS:-3}
TXS=${TXS:-20000}
SENDERS=${SENDERS:-200}
BLOCK_TIME=${BLOCK_TIME:-1000}
RATE=${RATE:-1500}

work=$(mktemp -d "${TMPDIR:-/tmp}/ascribe-testnet-bench.XXXXXX")
current=""
cleanup() {
  [ -n "$current" ] && ./ascribe testnet down --dir "$current" >/dev/null 2>&1 || true
  [ "${KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

results="$work/results.tsv"
: > "$results"
for n in $VALIDATORS; do
  current="$work/testnet-$n"
  ./ascribe testnet up --validators "$n" --dir "$current" --block-time "$BLOCK_TIME" > "$work/up-$n.txt"
  rpc=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['nodes'][0]['rpcUrl'])" "$current/testnet.json")
  spread=$(python3 -c "import json,sys;print(','.join(n['rpcUrl'] for n in json.load(open(sys.argv[1]))['nodes'][1:]))" "$current/testnet.json")
  spread_args=()
  [ -n "$spread" ] && spread_args=(--spread-to "$spread")
  # Wait for the chain to commit a few blocks before loading it.
  for _ in $(seq 1 120); do
    height=$(./ascribe status --rpc "$rpc" 2>/dev/null | awk '/^height/ {print $2}' || true)
    [ -n "$height" ] && [ "$height" -ge 3 ] && break
    sleep 1
  done
  for run in $(seq 1 "$RUNS"); do
    line=$(./ascribe load --rpc "$rpc" "${spread_args[@]}" --txs "$TXS" --senders "$SENDERS" \
      --seed "$((n * 100 + run))" | tail -n 1)
    echo "validators=$n burst run=$run $line"
    echo "$n	burst	$line" >> "$results"
    line=$(./ascribe load --rpc "$rpc" "${spread_args[@]}" --txs "$TXS" --senders "$SENDERS" \
      --batch 50 --rate "$RATE" \
      --seed "$((n * 100 + 50 + run))" | tail -n 1)
    echo "validators=$n rate=$RATE run=$run $line"
    echo "$n	$RATE tx/s	$line" >> "$results"
  done
  ./ascribe testnet down --dir "$current" > /dev/null
  current=""
done

python3 - "$results" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    n, mode, text = line.rstrip("\n").split("\t", 2)
    m = re.search(r"([\d.]+) committed tx/s; commit latency median (\d+) ms, p99 (\d+) ms", text)
    if m:
        rows.setdefault((mode, int(n)), []).append(tuple(float(x) for x in m.groups()))
print("\nload        validators  median tx/s  median p50 latency (ms)  median p99 latency (ms)  runs")
for mode in sorted({k[0] for k in rows}, key=lambda m: (m != "burst", m)):
    base = None
    for n in sorted(k[1] for k in rows if k[0] == mode):
        r = rows[(mode, n)]
        tps = statistics.median(x[0] for x in r)
        p50 = statistics.median(x[1] for x in r)
        p99 = statistics.median(x[2] for x in r)
        base = base or tps
        print(f"{mode:<10}  {n:>10}  {tps:>11.0f}  {p50:>23.0f}  {p99:>23.0f}  {len(r):>4}   ({tps / base:.2f}x of the first)")
PY
