#!/bin/sh
# Idle memory and CPU of a real evernetd as the 103rd member of an emulated 102-member mesh on loopback.
#
#   packaging/measure-idle.sh [--daemon CMD] [--duration SECONDS] [--warmup SECONDS] [--interval SECONDS]
#                             [--base-port PORT] [--env NAME=VALUE]...
#
#   --daemon CMD    how to start evernetd (default: artifacts/linux-x64-aot/evernetd; a framework-dependent build is
#                   e.g. --daemon "dotnet artifacts/framework-dependent/evernetd.dll")
#   --duration      steady-state window measured after the warm-up (default 300)
#   --warmup        seconds between evernetd's start and the window (default 60): the join, the first push-pull,
#                   the JIT (framework-dependent) and the GC settling are left out
#   --interval      RSS sampling interval (default 5)
#   --env N=V       environment for evernetd only; repeatable. Default: the Environment= of
#                   packaging/systemd/evernetd.service (measure the daemon as it is deployed)
#   --no-unit-env   start evernetd without the unit's environment (the runtime's GC defaults)
#
# The emulator (tests/Evernet.MeshEmulator) runs 102 real GossipNodes on 127.0.0.1:PORT.., 3 of them gateways that
# publish summaries every 5 s, and writes the guest's keys, certificate and configuration (dry-run dataplane,
# discovery off). Prints RSS (VmRSS sampled, VmHWM at the end, from /proc/PID/status) and CPU (utime+stime from
# /proc/PID/stat over the window, as % of one core), and what the guest sees of the mesh at the end.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
daemon="$root/artifacts/linux-x64-aot/evernetd"
duration=300
warmup=60
interval=5
base_port=47600
envs=""
unit_env=1
while [ $# -gt 0 ]; do
    case "$1" in
        --daemon) daemon=$2; shift 2 ;;
        --duration) duration=$2; shift 2 ;;
        --warmup) warmup=$2; shift 2 ;;
        --interval) interval=$2; shift 2 ;;
        --base-port) base_port=$2; shift 2 ;;
        --env) envs="$envs $2"; shift 2 ;;
        --no-unit-env) unit_env=0; shift ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "measure-idle.sh: unknown argument $1" >&2; exit 64 ;;
    esac
done

if [ "$unit_env" = 1 ]; then
    envs="$(sed -n 's/^Environment=//p' "$root/packaging/systemd/evernetd.service" | tr '\n' ' ')$envs"
fi

work=$(mktemp -d /tmp/evernet-idle.XXXXXX)
emu_pid=""
daemon_pid=""
cleanup() {
    [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

echo "building the emulator..." >&2
dotnet build "$root/tests/Evernet.MeshEmulator" -c Release -o "$work/emulator" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; exit 1; }

total=$((warmup + duration + 30))
dotnet "$work/emulator/evernet-mesh-emulator.dll" --out "$work/mesh" --base-port "$base_port" --duration "$total" \
    --status-interval 5 >"$work/emulator.log" 2>&1 &
emu_pid=$!
i=0
until grep -q '^ready' "$work/emulator.log"; do
    i=$((i + 1))
    if [ $i -gt 120 ] || ! kill -0 "$emu_pid" 2>/dev/null; then
        echo "measure-idle.sh: the emulated mesh did not come up:" >&2; cat "$work/emulator.log" >&2; exit 1
    fi
    sleep 1
done
grep '^ready' "$work/emulator.log" >&2

# shellcheck disable=SC2086 # $daemon and $envs are word lists on purpose
env $envs $daemon --config "$work/mesh/guest/evernetd.json" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
sleep "$warmup"
kill -0 "$daemon_pid" 2>/dev/null || { echo "measure-idle.sh: evernetd exited:" >&2; cat "$work/daemon.log" >&2; exit 1; }
# `dotnet x.dll` runs the runtime in the dotnet process itself: the PID is the daemon either way.
grep -q 'guest=joined' "$work/emulator.log" || { echo "measure-idle.sh: the guest did not join:" >&2; tail -5 "$work/emulator.log" >&2; cat "$work/daemon.log" >&2; exit 1; }

ticks() { awk '{ print $14 + $15 }' "/proc/$daemon_pid/stat"; }
field() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$daemon_pid/status"; }
hz=$(getconf CLK_TCK)
t0=$(date +%s.%N)
c0=$(ticks)
samples=0; sum=0; min=""; max=0
end=$(($(date +%s) + duration))
while [ "$(date +%s)" -lt "$end" ]; do
    rss=$(field VmRSS)
    samples=$((samples + 1)); sum=$((sum + rss))
    [ -z "$min" ] || [ "$rss" -lt "$min" ] && min=$rss
    [ "$rss" -gt "$max" ] && max=$rss
    sleep "$interval"
done
c1=$(ticks)
t1=$(date +%s.%N)
hwm=$(field VmHWM)
threads=$(field Threads)
kill -0 "$daemon_pid" 2>/dev/null || { echo "measure-idle.sh: evernetd exited during the window" >&2; cat "$work/daemon.log" >&2; exit 1; }

echo "daemon:        $daemon${envs:+ (env:$envs)}"
echo "window:        ${duration} s after ${warmup} s warm-up, RSS every ${interval} s ($samples samples)"
awk -v s="$sum" -v n="$samples" -v lo="$min" -v hi="$max" -v hwm="$hwm" 'BEGIN {
    printf "RSS:           avg %.1f MB, min %.1f MB, max %.1f MB; VmHWM %.1f MB (MB = 1024 kB)\n", s / n / 1024, lo / 1024, hi / 1024, hwm / 1024 }'
awk -v c0="$c0" -v c1="$c1" -v t0="$t0" -v t1="$t1" -v hz="$hz" 'BEGIN {
    cpu = (c1 - c0) / hz; wall = t1 - t0
    printf "CPU:           %.2f s of CPU in %.0f s = %.2f %% of one core\n", cpu, wall, 100 * cpu / wall }'
echo "threads:       $threads"
echo "mesh:          $(grep '^t=' "$work/emulator.log" | tail -1)"
# What the guest itself sees, through its control socket (evernetctl beside the daemon, if there is one).
exe=""; for word in $daemon; do exe=$word; done
ctl_dir=$(dirname "$exe")
if [ -x "$ctl_dir/evernetctl" ]; then
    ctl="$ctl_dir/evernetctl"
elif [ -f "$ctl_dir/evernetctl.dll" ]; then
    ctl="dotnet $ctl_dir/evernetctl.dll"
else
    ctl=""
fi
if [ -n "$ctl" ]; then
    # shellcheck disable=SC2086
    $ctl status --socket "$work/mesh/guest/evernetd.sock" 2>&1 | sed -n '2,3s/^/guest view:    /p' || true
fi
grep -E 'fail|crit|error' "$work/daemon.log" | head -5 >&2 || true
