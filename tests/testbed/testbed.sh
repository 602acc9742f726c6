#!/usr/bin/env bash
# Evernet testbed: the mesh in network namespaces. Usage: testbed.sh help (details in tests/testbed/README.md).
#
#                 internet 198.51.100.10 (UDP echo :4000, TCP echo :4001)
#            WAN /30 /          | WAN /30       \ WAN /30     NAT on every gateway; the internet routes back
#                 gw1          gw2              gw3           only to the three WAN addresses
#                  |            |                |
#   c1 ---------- n1 --- n2 --- n3               |
#                  |      |      |               |
#                 n6 --- n5 --- n4               |
#                  |      |                      |
#                  |      c2                     |
#                  +-----------------------------+            (gw3 hangs off n6)
#
# Links: gw1-n1 n1-n2 n2-n3 n3-n4 n4-n5 n5-n6 n6-n1 n2-n5 gw2-n3 gw3-n6; clients c1@n1, c2@n5.
# Hop counts: c1 -> gw1 1, gw3 2, gw2 3; c2 -> gw3 2, gw1 3, gw2 3.
#
# Underlay: in the field OLSR/babel routes between the routers and Evernet only chooses gateways over it. Here
# `--underlay static` (default) installs shortest-path routes (proto 150) to every router's mesh address and every
# client prefix, recomputed when a mesh link goes down/up (an ideal IGP); `--underlay none` installs nothing, for a
# routing daemon (the babeld baseline) to do all of it. No router gets a default route: that is the job of
# evernetd (or babeld).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"

# ---------------------------------------------------------------- topology (data)
ROUTERS=(gw1 gw2 gw3 n1 n2 n3 n4 n5 n6)
GATEWAYS=(gw1 gw2 gw3)
MESH_LINKS=("gw1 n1" "n1 n2" "n2 n3" "n3 n4" "n4 n5" "n5 n6" "n6 n1" "n2 n5" "gw2 n3" "gw3 n6")
CLIENTS=("c1 n1" "c2 n5")
INET=inet
SERVER_ADDR=198.51.100.10
UDP_PORT=4000
TCP_PORT=4001
UNDERLAY_PROTO=150 # unassigned in rt_protos (99 is openr, 42 babel)

PREFIX="${EVT_PREFIX:-evt-}"
UNDERLAY=static
START_SERVERS=1
STATE_ROOT="${EVT_STATE_ROOT:-/run/evernet-testbed}"

die() { echo "testbed: $*" >&2; exit 1; }
log() { [ -n "${EVT_QUIET:-}" ] || echo "testbed: $*" >&2; }

usage() {
  cat <<EOF
testbed.sh COMMAND [--prefix P] [options]

  up [--underlay static|none] [--no-servers]   build the testbed (fails if one with this prefix exists)
  down                                          remove every namespace of this prefix and its processes
  status                                        namespaces, default routes, processes
  topology [--json]                             addresses and links (for scripts and tests)
  gateways-by-distance CLIENT|ROUTER            gateways by mesh hop count ("gw1 1")
  exec NODE [--] CMD...                         run CMD in NODE's namespace (NODE: inet gw1.. n1.. c1..)
  ns NODE                                       print NODE's namespace name
  link A B down|up|loss PCT|netem ARGS...|clear mesh link impairment (both directions)
  wan GW down|up|blackhole|clear                uplink failure: down = WAN interface down (kernel drops the
                                                default route); blackhole = WAN silently drops all traffic
                                                (link and default route stay, like a dead DSL line behind a modem)
  evernet-config DIR [--days N]                 authority, node keys, certificates and evernetd.json for every
                                                router (evernetctl + evernetd --check-config; see evernet-config.sh)
  evernet-start DIR [ROUTER...]                 evernetd in every (or the named) router namespace (needs up and
                                                evernet-config); each router has its own /run/wireguard
  evernet-stop DIR [ROUTER...]                  SIGTERM to evernetd, waits until it exited

Options: --prefix P (default evt-, or \$EVT_PREFIX; letters/digits, ends with '-'),
         \$EVT_PROBE: command running Evernet.GapProbe (default: build tests/Evernet.GapProbe, Release).
Server in 'inet': $SERVER_ADDR udp/$UDP_PORT tcp/$TCP_PORT (echo, answers carry the NAT source seen).
EOF
}

# ---------------------------------------------------------------- naming and addressing
ns() { echo "${PREFIX}$1"; }
nsx() { local n="$1"; shift; ip netns exec "$(ns "$n")" "$@"; }
ipn() { local n="$1"; shift; ip -n "$(ns "$n")" "$@"; }

is_gateway() { [[ $1 == gw[0-9]* ]]; }
is_router() { local r; for r in "${ROUTERS[@]}"; do [ "$r" = "$1" ] && return 0; done; return 1; }
all_nodes() { echo "$INET" "${ROUTERS[@]}"; local c; for c in "${CLIENTS[@]}"; do echo "${c%% *}"; done; }

mesh_addr() {
  case $1 in
    gw*) echo "10.200.0.$((100 + ${1#gw}))" ;;
    n*) echo "10.200.0.${1#n}" ;;
    *) die "not a router: $1" ;;
  esac
}
wan_inet_addr() { echo "203.0.113.$((4 * ${1#gw} + 1))"; }
wan_gw_addr() { echo "203.0.113.$((4 * ${1#gw} + 2))"; }
# the client attached to node $1 (empty if none), and that node's client prefix (10.201.K.0/24 for nK)
client_of() { local c; for c in "${CLIENTS[@]}"; do [ "${c#* }" = "$1" ] && { echo "${c%% *}"; return; }; done; return 0; }
node_of_client() { local c; for c in "${CLIENTS[@]}"; do [ "${c%% *}" = "$1" ] && { echo "${c#* }"; return; }; done; die "no such client: $1"; }
client_net() { echo "10.201.${1#n}"; }

# link index of A-B (either order), or fails
link_index() {
  local i
  for i in "${!MESH_LINKS[@]}"; do
    case "${MESH_LINKS[$i]}" in "$1 $2" | "$2 $1") echo "$i"; return 0 ;; esac
  done
  return 1
}
# address of router $1 on its link to $2 (/31: the first-named end gets .0)
link_addr() {
  local i; i=$(link_index "$1" "$2") || die "no mesh link $1-$2"
  if [ "${MESH_LINKS[$i]%% *}" = "$1" ]; then echo "10.199.$i.0"; else echo "10.199.$i.1"; fi
}
neighbours() {
  local l a b out=()
  for l in "${MESH_LINKS[@]}"; do
    a=${l%% *}; b=${l#* }
    [ "$a" = "$1" ] && out+=("$b")
    [ "$b" = "$1" ] && out+=("$a")
  done
  printf '%s\n' "${out[@]}" | sort
}

state_dir() { echo "$STATE_ROOT/${PREFIX%-}"; }

# wireguard-go and wg meet at UNIX sockets in /run/wireguard/<interface>.sock: one directory for the whole machine,
# not per network namespace. Routers that name a tunnel alike (every node names its tunnel to gw1 the same) would
# configure each other's tunnels, and a second wireguard-go for a name fails. So each router gets its own directory
# bound over /run/wireguard, inside the mount namespace `ip netns exec` creates anyway (its mounts stay private).
wg_run_dir() { local d; d="$(state_dir)/wireguard/$1"; mkdir -p "$d" /run/wireguard; echo "$d"; }
# sh -c WG_MOUNT DIR CMD...: bind DIR over /run/wireguard, then exec CMD (same pid: callers may record $!)
# shellcheck disable=SC2016
WG_MOUNT='mount --bind "$0" /run/wireguard && exec "$@"'
nsx_router() { # like nsx, but a router sees its own /run/wireguard (evernetd, wireguard-go, wg)
  local n="$1"; shift
  is_router "$n" || { nsx "$n" "$@"; return; }
  ip netns exec "$(ns "$n")" sh -c "$WG_MOUNT" "$(wg_run_dir "$n")" "$@"
}
link_is_down() { grep -qx "$1 $2\|$2 $1" "$(state_dir)/down-links" 2>/dev/null; }
our_namespaces() {
  local wanted n existing
  existing=" $(ip netns list 2>/dev/null | awk '{print $1}' | tr '\n' ' ') "
  for n in $(all_nodes); do
    wanted=$(ns "$n")
    [[ $existing == *" $wanted "* ]] && echo "$wanted"
  done
  return 0
}

# ---------------------------------------------------------------- underlay (static shortest paths)
# Prints "DEST FIRST_HOP" for every router reachable from $1 over links that are up (BFS, neighbours in sorted
# order, so ties break the same way every run).
shortest_first_hops() {
  local src=$1 cur nb
  local -A first=() seen=()
  local queue=("$src")
  seen[$src]=1
  while [ ${#queue[@]} -gt 0 ]; do
    cur=${queue[0]}; queue=("${queue[@]:1}")
    for nb in $(neighbours "$cur"); do
      [ -n "${seen[$nb]:-}" ] && continue
      link_is_down "$cur" "$nb" && continue
      seen[$nb]=1
      if [ "$cur" = "$src" ]; then first[$nb]=$nb; else first[$nb]=${first[$cur]}; fi
      queue+=("$nb")
    done
  done
  for nb in "${!first[@]}"; do echo "$nb ${first[$nb]}"; done
}

# Prints "DEST HOPS" for every router reachable from $1 over links that are up.
hop_distances() {
  local src=$1 cur nb
  local -A dist=()
  local queue=("$src")
  dist[$src]=0
  while [ ${#queue[@]} -gt 0 ]; do
    cur=${queue[0]}; queue=("${queue[@]:1}")
    for nb in $(neighbours "$cur"); do
      [ -n "${dist[$nb]:-}" ] && continue
      link_is_down "$cur" "$nb" && continue
      dist[$nb]=$((dist[$cur] + 1))
      queue+=("$nb")
    done
  done
  for nb in "${!dist[@]}"; do echo "$nb ${dist[$nb]}"; done
}

# Gateways by hop count from a client's node (ties by name): "gw1 1", "gw3 2", ...
cmd_gateways_by_distance() {
  [ $# -eq 1 ] || die "usage: gateways-by-distance CLIENT|ROUTER"
  local from=$1
  is_router "$from" || from=$(node_of_client "$1")
  hop_distances "$from" | grep '^gw' | sort -k2,2n -k1,1
}

apply_underlay() {
  [ "$(cat "$(state_dir)/underlay" 2>/dev/null || echo static)" = static ] || return 0
  local r dest hop via src c want have
  for r in "${ROUTERS[@]}"; do
    src=$(mesh_addr "$r")
    want=" "
    while read -r dest hop; do
      [ -n "$dest" ] || continue
      via=$(link_addr "$hop" "$r")
      ipn "$r" route replace "$(mesh_addr "$dest")/32" via "$via" dev "m-$hop" proto $UNDERLAY_PROTO src "$src"
      want+="$(mesh_addr "$dest") "
      c=$(client_of "$dest")
      if [ -n "$c" ]; then
        ipn "$r" route replace "$(client_net "$dest").0/24" via "$via" dev "m-$hop" proto $UNDERLAY_PROTO src "$src"
        want+="$(client_net "$dest").0/24 "
      fi
    done < <(shortest_first_hops "$r")
    # drop routes to destinations that became unreachable
    for have in $(ipn "$r" -4 route show proto $UNDERLAY_PROTO | awk '{print $1}'); do
      [[ $want == *" $have "* || $want == *" ${have%/32} "* ]] || ipn "$r" route del "$have" proto $UNDERLAY_PROTO 2>/dev/null || true
    done
  done
}

# ---------------------------------------------------------------- probe (echo server, gap probe)
probe_cmd() {
  if [ -n "${EVT_PROBE:-}" ]; then echo "$EVT_PROBE"; return; fi
  local dll="$REPO_ROOT/tests/Evernet.GapProbe/bin/Release/net10.0/Evernet.GapProbe.dll"
  command -v dotnet >/dev/null || die "dotnet not found (needed for the echo server); or set EVT_PROBE"
  log "building Evernet.GapProbe (Release)"
  dotnet build "$REPO_ROOT/tests/Evernet.GapProbe" -c Release --nologo -v q >"$(state_dir)/probe-build.log" 2>&1 \
    || die "building Evernet.GapProbe failed, see $(state_dir)/probe-build.log"
  echo "dotnet $dll"
}

start_servers() {
  local probe; probe=$(probe_cmd)
  local logf; logf="$(state_dir)/server.log"
  # setsid + redirections: the server must not hold the caller's stdout/stderr (a test harness reading them
  # would otherwise wait for it forever)
  # shellcheck disable=SC2086
  ip netns exec "$(ns "$INET")" setsid $probe serve --bind "$SERVER_ADDR" --udp $UDP_PORT --tcp $TCP_PORT </dev/null >"$logf" 2>&1 &
  echo $! >"$(state_dir)/server.pid"
  local i
  for i in $(seq 1 200); do
    grep -q '^serving' "$logf" 2>/dev/null && return 0
    kill -0 "$(cat "$(state_dir)/server.pid")" 2>/dev/null || die "echo server exited: $(cat "$logf")"
    sleep 0.1
  done
  die "echo server did not start within 20 s: $(cat "$logf")"
}

# ---------------------------------------------------------------- up / down
router_sysctls() {
  nsx "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
    net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 >/dev/null
}

cmd_up() {
  [ "$(id -u)" = 0 ] || die "up needs root (network namespaces)"
  local existing; existing=$(our_namespaces)
  [ -z "$existing" ] || die "a testbed with prefix '$PREFIX' exists ($(echo $existing)); run: $0 down --prefix $PREFIX"
  mkdir -p "$(state_dir)"
  echo "$UNDERLAY" >"$(state_dir)/underlay"
  : >"$(state_dir)/down-links"

  local n
  for n in $(all_nodes); do
    ip netns add "$(ns "$n")"
    ipn "$n" link set dev lo up
    nsx "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 >/dev/null
  done
  for n in "${ROUTERS[@]}"; do
    router_sysctls "$n"
    ipn "$n" addr add "$(mesh_addr "$n")/32" dev lo
  done

  # internet and the WAN links
  ipn "$INET" addr add "$SERVER_ADDR/32" dev lo
  local gw
  for gw in "${GATEWAYS[@]}"; do
    ipn "$INET" link add name "w-$gw" type veth peer name wan netns "$(ns "$gw")"
    ipn "$INET" addr add "$(wan_inet_addr "$gw")/30" dev "w-$gw"
    ipn "$gw" addr add "$(wan_gw_addr "$gw")/30" dev wan
    ipn "$INET" link set dev "w-$gw" up
    ipn "$gw" link set dev wan up
    # proto static, not the default "boot": babeld only redistributes non-boot kernel routes
    ipn "$gw" route add default via "$(wan_inet_addr "$gw")" dev wan proto static
    nsx "$gw" nft -f - <<EOF
table ip evt-nat {
  chain post { type nat hook postrouting priority srcnat; policy accept; oifname "wan" masquerade; }
}
EOF
  done

  # mesh links
  local i a b
  for i in "${!MESH_LINKS[@]}"; do
    a=${MESH_LINKS[$i]%% *}; b=${MESH_LINKS[$i]#* }
    ipn "$a" link add name "m-$b" type veth peer name "m-$a" netns "$(ns "$b")"
    ipn "$a" addr add "10.199.$i.0/31" dev "m-$b"
    ipn "$b" addr add "10.199.$i.1/31" dev "m-$a"
    ipn "$a" link set dev "m-$b" up
    ipn "$b" link set dev "m-$a" up
  done

  # clients
  local c node net
  for c in "${CLIENTS[@]}"; do
    node=${c#* }; c=${c%% *}; net=$(client_net "$node")
    ipn "$node" link add name "c-$c" type veth peer name eth0 netns "$(ns "$c")"
    ipn "$node" addr add "$net.1/24" dev "c-$c"
    ipn "$c" addr add "$net.2/24" dev eth0
    ipn "$node" link set dev "c-$c" up
    ipn "$c" link set dev eth0 up
    ipn "$c" route add default via "$net.1"
  done

  apply_underlay
  [ "$START_SERVERS" = 1 ] && start_servers
  log "up: prefix $PREFIX, underlay $UNDERLAY, $(our_namespaces | wc -l) namespaces"
}

cmd_down() {
  local spaces pids=() n p
  spaces=$(our_namespaces)
  for n in $spaces; do
    for p in $(ip netns pids "$n" 2>/dev/null); do pids+=("$p"); done
  done
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 1 30); do
      local alive=()
      for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
      [ ${#alive[@]} -eq 0 ] && break
      sleep 0.1
    done
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  fi
  for n in $spaces; do ip netns del "$n" 2>/dev/null || true; done
  rm -rf "$(state_dir)"
  log "down: prefix $PREFIX, removed $(echo $spaces | wc -w) namespaces, ended ${#pids[@]} processes"
}

cmd_status() {
  local spaces; spaces=$(our_namespaces)
  if [ -z "$spaces" ]; then echo "no testbed with prefix $PREFIX"; return 1; fi
  echo "prefix $PREFIX, underlay $(cat "$(state_dir)/underlay" 2>/dev/null || echo '?'), down links: $(tr '\n' ',' <"$(state_dir)/down-links" 2>/dev/null)"
  local n procs def
  for n in $(all_nodes); do
    ip netns list | awk '{print $1}' | grep -qx "$(ns "$n")" || { printf '%-5s MISSING\n' "$n"; continue; }
    def=$(ipn "$n" -4 route show default 2>/dev/null | head -3 | tr '\n' ';')
    procs=$(for p in $(ip netns pids "$(ns "$n")"); do ps -o comm= -p "$p"; done | sort | uniq -c | awk '{printf "%s(%s) ", $2, $1}')
    printf '%-5s default: %-40s underlay routes: %-3s procs: %s\n' "$n" "${def:-none}" \
      "$(ipn "$n" -4 route show proto $UNDERLAY_PROTO 2>/dev/null | wc -l)" "${procs:-none}"
  done
}

cmd_topology() {
  if [ "${1:-}" != "--json" ]; then
    echo "server $SERVER_ADDR udp/$UDP_PORT tcp/$TCP_PORT in $(ns $INET)"
    local r c
    for r in "${ROUTERS[@]}"; do
      printf '%-4s ns %-10s mesh %-13s neighbours %s%s\n' "$r" "$(ns "$r")" "$(mesh_addr "$r")" "$(neighbours "$r" | tr '\n' ' ')" \
        "$(is_gateway "$r" && echo "wan $(wan_gw_addr "$r")/30 via $(wan_inet_addr "$r")")"
    done
    for c in "${CLIENTS[@]}"; do
      printf '%-4s ns %-10s behind %s addr %s.2/24\n' "${c%% *}" "$(ns "${c%% *}")" "${c#* }" "$(client_net "${c#* }")"
    done
    return
  fi
  local first=1 r nb l i a b c
  printf '{\n  "prefix": "%s",\n  "server": { "namespace": "%s", "address": "%s", "udpPort": %s, "tcpPort": %s },\n  "routers": [' \
    "$PREFIX" "$(ns $INET)" "$SERVER_ADDR" $UDP_PORT $TCP_PORT
  for r in "${ROUTERS[@]}"; do
    [ $first = 1 ] || printf ','; first=0
    printf '\n    { "name": "%s", "namespace": "%s", "role": "%s", "meshAddress": "%s"' "$r" "$(ns "$r")" \
      "$(is_gateway "$r" && echo gateway || echo node)" "$(mesh_addr "$r")"
    if is_gateway "$r"; then
      printf ', "wan": { "interface": "wan", "address": "%s", "prefixLength": 30, "nextHop": "%s" }' "$(wan_gw_addr "$r")" "$(wan_inet_addr "$r")"
    fi
    c=$(client_of "$r")
    [ -n "$c" ] && printf ', "clientPrefix": "%s.0/24", "clientInterface": "c-%s"' "$(client_net "$r")" "$c"
    printf ', "meshInterfaces": ['
    local f2=1
    for nb in $(neighbours "$r"); do
      [ $f2 = 1 ] || printf ', '; f2=0
      printf '{ "name": "m-%s", "peer": "%s", "address": "%s", "peerAddress": "%s" }' "$nb" "$nb" "$(link_addr "$r" "$nb")" "$(link_addr "$nb" "$r")"
    done
    printf '] }'
  done
  printf '\n  ],\n  "links": ['
  first=1
  for i in "${!MESH_LINKS[@]}"; do
    a=${MESH_LINKS[$i]%% *}; b=${MESH_LINKS[$i]#* }
    [ $first = 1 ] || printf ','; first=0
    printf '\n    { "a": "%s", "b": "%s" }' "$a" "$b"
  done
  printf '\n  ],\n  "clients": ['
  first=1
  for l in "${CLIENTS[@]}"; do
    c=${l%% *}; r=${l#* }
    [ $first = 1 ] || printf ','; first=0
    printf '\n    { "name": "%s", "namespace": "%s", "node": "%s", "address": "%s.2", "gateway": "%s.1" }' "$c" "$(ns "$c")" "$r" "$(client_net "$r")" "$(client_net "$r")"
  done
  printf '\n  ]\n}\n'
}

# ---------------------------------------------------------------- impairments
# 100% or partial loss with nftables (netdev ingress on each end): this kernel has no sch_netem, so `netem`
# is offered where tc supports it and `loss` works everywhere.
set_ingress_loss() { # NODE IFACE PCT
  local node=$1 ifc=$2 pct=$3
  clear_ingress_loss "$node" "$ifc"
  [ "$pct" -gt 0 ] || return 0
  local rule="counter drop"
  [ "$pct" -ge 100 ] || rule="numgen random mod 100 < $pct $rule"
  nsx "$node" nft -f - <<EOF
table netdev evt-imp {
  chain in-$ifc { type filter hook ingress device "$ifc" priority 0; policy accept; $rule; }
}
EOF
}
clear_ingress_loss() {
  nsx "$1" nft delete chain netdev evt-imp "in-$2" 2>/dev/null || true
}

cmd_link() {
  [ $# -ge 3 ] || die "usage: link A B down|up|loss PCT|netem ARGS...|clear"
  local a=$1 b=$2 action=$3; shift 3
  link_index "$a" "$b" >/dev/null || die "no mesh link $a-$b (links: ${MESH_LINKS[*]})"
  case $action in
    down)
      ipn "$a" link set dev "m-$b" down; ipn "$b" link set dev "m-$a" down
      link_is_down "$a" "$b" || echo "$a $b" >>"$(state_dir)/down-links"
      apply_underlay ;;
    up)
      ipn "$a" link set dev "m-$b" up; ipn "$b" link set dev "m-$a" up
      grep -vx "$a $b\|$b $a" "$(state_dir)/down-links" >"$(state_dir)/down-links.new" || true
      mv "$(state_dir)/down-links.new" "$(state_dir)/down-links"
      apply_underlay ;;
    loss)
      [[ ${1:-} =~ ^[0-9]+$ && $1 -le 100 ]] || die "loss needs a percentage 0..100"
      set_ingress_loss "$a" "m-$b" "$1"; set_ingress_loss "$b" "m-$a" "$1" ;;
    netem)
      [ $# -gt 0 ] || die "netem needs tc netem arguments, e.g. delay 20ms loss 1%"
      nsx "$a" tc qdisc replace dev "m-$b" root netem "$@" 2>/dev/null \
        || die "tc netem failed (this kernel may lack sch_netem); for loss use: link $a $b loss PCT"
      nsx "$b" tc qdisc replace dev "m-$a" root netem "$@" ;;
    clear)
      clear_ingress_loss "$a" "m-$b"; clear_ingress_loss "$b" "m-$a"
      nsx "$a" tc qdisc del dev "m-$b" root 2>/dev/null || true
      nsx "$b" tc qdisc del dev "m-$a" root 2>/dev/null || true ;;
    *) die "link action must be down|up|loss|netem|clear" ;;
  esac
}

cmd_wan() {
  [ $# -eq 2 ] || die "usage: wan GW down|up|blackhole|clear"
  local gw=$1
  is_gateway "$gw" && is_router "$gw" || die "not a gateway: $gw"
  case $2 in
    down) ipn "$gw" link set dev wan down ;; # the kernel removes the default route with the address' link
    up)
      ipn "$gw" link set dev wan up
      ipn "$gw" route replace default via "$(wan_inet_addr "$gw")" dev wan proto static ;;
    blackhole)
      set_ingress_loss "$gw" wan 100; set_ingress_loss "$INET" "w-$gw" 100 ;;
    clear)
      clear_ingress_loss "$gw" wan; clear_ingress_loss "$INET" "w-$gw" ;;
    *) die "wan action must be down|up|blackhole|clear" ;;
  esac
}

# shellcheck source=evernet-config.sh
. "$SCRIPT_DIR/evernet-config.sh"

# ---------------------------------------------------------------- main
[ $# -ge 1 ] || { usage; exit 2; }
COMMAND=$1; shift
ARGS=()
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; ARGS+=("$@"); break ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a value"; PREFIX=$2; shift 2 ;;
    --underlay) [ $# -ge 2 ] || die "--underlay needs static|none"; UNDERLAY=$2; shift 2 ;;
    --no-servers) START_SERVERS=0; shift ;;
    *) ARGS+=("$1"); shift ;;
  esac
done
[[ $PREFIX =~ ^[a-z][a-z0-9]{0,7}(-[a-z0-9]{1,8})?-$ ]] || die "prefix must look like 'evt-' or 'evt-run1-' (got '$PREFIX')"
[[ $UNDERLAY == static || $UNDERLAY == none ]] || die "--underlay must be static or none"

case $COMMAND in
  up)
    # a failed `up` leaves nothing behind (errexit fires inside cmd_up, the EXIT trap cleans up)
    trap 'rc=$?; if [ $rc -ne 0 ]; then log "up failed (exit $rc), removing what was built"; cmd_down; fi' EXIT
    cmd_up
    trap - EXIT ;;
  down) cmd_down ;;
  status) cmd_status ;;
  topology) cmd_topology "${ARGS[@]}" ;;
  gateways-by-distance) cmd_gateways_by_distance "${ARGS[@]}" ;;
  ns) [ ${#ARGS[@]} -eq 1 ] || die "usage: ns NODE"; ns "${ARGS[0]}" ;;
  exec) [ ${#ARGS[@]} -ge 2 ] || die "usage: exec NODE CMD..."; nsx_router "${ARGS[@]}" ;;
  link) cmd_link "${ARGS[@]}" ;;
  wan) cmd_wan "${ARGS[@]}" ;;
  evernet-config) evernet_config "${ARGS[@]}" ;;
  evernet-start) evernet_start "${ARGS[@]}" ;;
  evernet-stop) evernet_stop "${ARGS[@]}" ;;
  help | -h | --help) usage ;;
  *) usage; exit 2 ;;
esac
