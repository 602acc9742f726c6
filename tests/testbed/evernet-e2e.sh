#!/usr/bin/env bash
# evernetd end to end on the Evernet testbed: failover gaps under a client's 10 ms UDP gap probe, several runs per
# fault, for docs/performance.md (the same faults as babel-baseline.sh where they exist). See tests/testbed/README.md.
#
#   evernet-e2e.sh [--runs N] [--scenarios "uplink-cut gateway-crash gateway-loss uplink-blackhole node-restart"]
#                  [--client c1] [--prefix P] [--out FILE] [--log-level Debug]
#
# One testbed for all runs: up (static underlay), evernet-config, evernet-start (cold start timed until every node
# routes over all three gateways), then per run: wait until the mesh is healthy again, start the gap probe in the
# client, take the gateway serving the probe's flow (from its first reply), arm the probe, inject the fault, read the
# report, repair. Faults: uplink-cut (`wan GW down`), gateway-crash (SIGKILL to the gateway's evernetd and
# wireguard-go), gateway-loss (100 % loss on all the gateway's mesh links), uplink-blackhole (`wan GW blackhole`:
# link and route stay), node-restart (SIGTERM to the client's node's evernetd, start it again; the figure is the
# longest gap of the run). One JSON line per run on stderr, a JSON summary (median/min/max per scenario) on stdout.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
TESTBED="$SCRIPT_DIR/testbed.sh"

RUNS=3
SCENARIOS="uplink-cut gateway-crash gateway-loss uplink-blackhole node-restart"
CLIENT=c1
PREFIX=evt-ee-
OUT=""
LOG_LEVEL=Debug
HEALTHY_TIMEOUT=180

die() { echo "evernet-e2e: $*" >&2; exit 1; }
say() { echo "evernet-e2e: $*" >&2; }

while [ $# -gt 0 ]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --scenarios) SCENARIOS=$2; shift 2 ;;
    --client) CLIENT=$2; shift 2 ;;
    --prefix) PREFIX=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --log-level) LOG_LEVEL=$2; shift 2 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument $1" ;;
  esac
done
[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 ]] || die "--runs must be a positive number"
for s in $SCENARIOS; do
  case $s in uplink-cut | gateway-crash | gateway-loss | uplink-blackhole | node-restart) ;; *) die "unknown scenario $s" ;; esac
done
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
command -v wireguard-go >/dev/null || die "wireguard-go not installed"

build() { # PROJECT DLL -> command
  say "building $1 (Release)"
  dotnet build "$REPO_ROOT/$1" -c Release --nologo -v q >/dev/null || die "building $1 failed"
  echo "dotnet $REPO_ROOT/$2"
}
[ -n "${EVT_PROBE:-}" ] || EVT_PROBE=$(build tests/Evernet.GapProbe tests/Evernet.GapProbe/bin/Release/net10.0/Evernet.GapProbe.dll)
[ -n "${EVT_EVERNETD:-}" ] || EVT_EVERNETD=$(build src/Evernet.Daemon src/Evernet.Daemon/bin/Release/net10.0/evernetd.dll)
[ -n "${EVT_EVERNETCTL:-}" ] || EVT_EVERNETCTL=$(build src/Evernet.Ctl src/Evernet.Ctl/bin/Release/net10.0/evernetctl.dll)
export EVT_PROBE EVT_EVERNETD EVT_EVERNETCTL
read -r -a PROBE <<<"$EVT_PROBE"
read -r -a CTL <<<"$EVT_EVERNETCTL"
SERVER="198.51.100.10:4000"
NODE=$("$TESTBED" topology --json --prefix "$PREFIX" | sed -n "s/.*\"name\": \"$CLIENT\", .*\"node\": \"\([a-z0-9]*\)\".*/\1/p")
[ -n "$NODE" ] || die "no such client: $CLIENT"

WORK=$(mktemp -d /tmp/evt-e2e.XXXXXX)
CFG="$WORK/cfg"
cleanup() {
  local rc=$?
  tb down >/dev/null 2>&1 || true
  if { [ $rc -ne 0 ] || [ -n "${EVT_KEEP:-}" ]; } && [ -d "$WORK" ]; then say "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tb() { EVT_QUIET=1 "$TESTBED" "$1" --prefix "$PREFIX" "${@:2}"; }
json_field() { sed -n "s/^ *\"$2\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}\$/\1/p" "$1" | head -1; }
gateway_of() { local last=${1##*.}; [[ $last =~ ^[0-9]+$ ]] && echo "gw$(((last - 2) / 4))" || echo "?"; }
now_ms() { date +%s%3N; }

# every node: three gateways usable, each with a positive weight (evernetctl status --json)
healthy() {
  local n out
  for n in n1 n2 n3 n4 n5 n6; do
    out=$("${CTL[@]}" status --json --socket "$CFG/$n/evernetd.sock" 2>/dev/null) || return 1
    [ "$(grep -c '"usable": true' <<<"$out")" = 3 ] || return 1
    grep -q '"weight": 0,' <<<"$out" && return 1
  done
  return 0
}
wait_healthy() {
  local start; start=$(date +%s)
  until healthy; do
    [ $(($(date +%s) - start)) -lt "$HEALTHY_TIMEOUT" ] || die "the mesh did not become healthy within ${HEALTHY_TIMEOUT}s (logs in $CFG/<router>/evernetd.log)"
    sleep 0.5
  done
}

inject() { # SCENARIO GATEWAY
  local nb
  case $1 in
    uplink-cut) tb wan "$2" down ;;
    uplink-blackhole) tb wan "$2" blackhole ;;
    gateway-loss)
      for nb in $(ip -n "${PREFIX}$2" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^m-'); do tb link "$2" "${nb#m-}" loss 100; done ;;
    gateway-crash)
      local pids=() p
      for p in $(ip netns pids "${PREFIX}$2"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = wireguard-go ] && pids+=("$p"); done
      kill -KILL "$(cat "$CFG/$2/evernetd.pid")" "${pids[@]}" ;;
    node-restart)
      tb evernet-stop "$CFG" "$NODE"
      tb evernet-start "$CFG" "$NODE"
      wait_healthy
      sleep 3 ;;
  esac
}

repair() { # SCENARIO GATEWAY
  local nb
  case $1 in
    uplink-cut) tb wan "$2" up ;;
    uplink-blackhole) tb wan "$2" clear ;;
    gateway-loss)
      for nb in $(ip -n "${PREFIX}$2" -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^m-'); do tb link "$2" "${nb#m-}" clear; done ;;
    gateway-crash) tb evernet-start "$CFG" "$2" ;;
    node-restart) ;;
  esac
}

one_run() { # SCENARIO RUN -> JSON line
  local scenario=$1 run=$2 probe_pid gw src extra=()
  wait_healthy
  rm -f "$WORK/ready" "$WORK/armed" "$WORK/gap.json"
  # node-restart: a fixed window, ended by SIGTERM once the node routes again; the others end 2 s after recovery
  [ "$scenario" = node-restart ] || extra=(--stop-after-recovery 2)
  tb exec "$CLIENT" -- setsid "${PROBE[@]}" gap --target "$SERVER" --interval-ms 10 --gap-threshold-ms 100 --duration 90 \
    "${extra[@]}" --ready-file "$WORK/ready" --arm-file "$WORK/armed" --out "$WORK/gap.json" </dev/null >/dev/null 2>"$WORK/probe.err" &
  probe_pid=$!
  for _ in $(seq 1 150); do [ -s "$WORK/ready" ] && break; sleep 0.1; done
  [ -s "$WORK/ready" ] || die "$scenario run $run: the gap probe got no reply ($(cat "$WORK/probe.err"))"
  sleep 1
  src=$(head -1 "$WORK/ready"); gw=$(gateway_of "$src") # the gateway of the probe's own flow
  touch "$WORK/armed"
  sleep 0.05
  inject "$scenario" "$gw"
  if [ "$scenario" = node-restart ]; then
    for p in $(ip netns pids "${PREFIX}$CLIENT"); do kill -TERM "$p" 2>/dev/null || true; done
  fi
  wait "$probe_pid" || true
  repair "$scenario" "$gw"
  [ -s "$WORK/gap.json" ] || die "$scenario run $run: no probe report ($(cat "$WORK/probe.err"))"
  cp "$WORK/gap.json" "$WORK/gap-$scenario-$run.json"

  local failover longest recovered at_cut final_src figure
  failover=$(json_field "$WORK/gap.json" failoverGapMs)
  longest=$(json_field "$WORK/gap.json" longestGapMs)
  recovered=$(json_field "$WORK/gap.json" recovered)
  at_cut=$(gateway_of "$(json_field "$WORK/gap.json" sourceAtArm)")
  final_src=$(grep -o '"to": "[^"]*"' "$WORK/gap.json" | tail -1 | cut -d'"' -f4)
  figure=${failover:-null}
  [ "$scenario" = node-restart ] && figure=${longest:-null}
  [ "$recovered" = true ] || figure=null
  printf '{"scenario":"%s","run":%s,"client":"%s","gateway":"%s","gatewayAtFault":"%s","newGateway":"%s","gapMs":%s,"failoverGapMs":%s,"longestGapMs":%s,"recovered":%s}\n' \
    "$scenario" "$run" "$CLIENT" "$gw" "$at_cut" "$(gateway_of "$final_src")" "$figure" "${failover:-null}" "${longest:-null}" "$recovered"
}

# ---------------------------------------------------------------- main
tb down >/dev/null 2>&1 || true
tb up >/dev/null
tb evernet-config "$CFG" >/dev/null
sed -i "s/\"logLevel\": \"Information\"/\"logLevel\": \"$LOG_LEVEL\"/" "$CFG"/*/evernetd.json
start=$(now_ms)
tb evernet-start "$CFG"
wait_healthy
cold=$(awk -v s="$start" -v n="$(now_ms)" 'BEGIN { printf "%.1f", (n - s) / 1000 }')
say "cold start: every node routes over all three gateways after ${cold}s"

RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
for run in $(seq 1 "$RUNS"); do
  for scenario in $SCENARIOS; do
    line=$(one_run "$scenario" "$run")
    echo "$line" >>"$RESULTS"
    say "$line"
  done
done

summary() {
  local scenario first=1
  printf '{"client":"%s","runs":%s,"coldStartS":%s,"kernel":"%s","scenarios":[' "$CLIENT" "$RUNS" "$cold" "$(uname -r)"
  for scenario in $SCENARIOS; do
    [ $first = 1 ] || printf ','; first=0
    grep "\"scenario\":\"$scenario\"" "$RESULTS" | sed -n 's/.*"gapMs":\([^,]*\),.*/\1/p' | sort -n |
      awk -v s="$scenario" '
        $1 != "null" { v[++n] = $1 } $1 == "null" { u++ }
        END {
          med = n ? (n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2) : "null"
          printf "{\"scenario\":\"%s\",\"recovered\":%d,\"unrecovered\":%d,\"medianGapMs\":%s,\"minGapMs\":%s,\"maxGapMs\":%s}", s, n, u + 0, med, n ? v[1] : "null", n ? v[n] : "null"
        }'
  done
  printf '],"results":['
  paste -sd, "$RESULTS" | tr -d '\n'
  printf ']}\n'
}
summary | tee "${OUT:-/dev/null}"
