# Sourced by testbed.sh: key ceremony and evernetd configuration for every router of the testbed, and starting /
# stopping evernetd in the router namespaces. Uses testbed.sh's topology functions (ROUTERS, mesh_addr, ...).
#
#   testbed.sh evernet-config DIR [--days N]   authority key, per-router node + WireGuard keys, certificates,
#                                               DIR/<router>/evernetd.json; checks each with evernetd --check-config
#   testbed.sh evernet-start DIR [ROUTER...]    evernetd in every (or the named) router namespace (logs
#                                               DIR/<router>/evernetd.log, each with its own /run/wireguard)
#   testbed.sh evernet-stop DIR [ROUTER...]     SIGTERM to those evernetd processes, waits for them to exit
#                                               (down also ends them)
#
# EVT_EVERNETCTL / EVT_EVERNETD name the commands (default: Release builds of src/Evernet.Ctl and src/Evernet.Daemon,
# built on first use).
#
# Layout of DIR:
#   authority/authority.key, authority.pub      the community authority (offline in real life)
#   <router>/state/                             evernetd's state directory: node.key (+ node.pub), wireguard.key (+ .pub)
#   <router>/node.cert                          membership certificate: name = router, roles node (+ gateway)
#   <router>/evernetd.json                      configuration (below)
#   <router>/evernetd.sock                      control socket (evernetctl --socket ...)

EVERNET_GOSSIP_PORT=7946
EVERNET_WG_PORT=51820

evernet_tool() { # ENV_VALUE PROJECT ASSEMBLY -> command words
  if [ -n "$1" ]; then echo "$1"; return; fi
  local project="$REPO_ROOT/src/$2" dll="$REPO_ROOT/src/$2/bin/Release/net10.0/$3.dll"
  command -v dotnet >/dev/null || die "dotnet not found; or set EVT_EVERNETCTL / EVT_EVERNETD"
  dotnet build "$project" -c Release --nologo -v q >"$(mktemp /tmp/evt-build.XXXXXX.log)" 2>&1 || die "building $2 failed"
  echo "dotnet $dll"
}

json_list() { # words -> "a", "b"
  local first=1 w
  for w in "$@"; do [ $first = 1 ] || printf ', '; first=0; printf '"%s"' "$w"; done
}

evernet_config() {
  [ $# -ge 1 ] || die "usage: evernet-config DIR [--days N]"
  local dir=$1 days=30
  shift
  while [ $# -gt 0 ]; do
    case $1 in --days) days=$2; shift 2 ;; *) die "evernet-config: unknown argument $1" ;; esac
  done
  mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
  local ctl evernetd
  read -r -a ctl <<<"$(evernet_tool "${EVT_EVERNETCTL:-}" Evernet.Ctl evernetctl)"
  read -r -a evernetd <<<"$(evernet_tool "${EVT_EVERNETD:-}" Evernet.Daemon evernetd)"

  [ -f "$dir/authority/authority.key" ] || "${ctl[@]}" authority init --out "$dir/authority" >/dev/null \
    || die "evernetctl authority init failed"
  local authority; authority=$(tr -d '[:space:]' <"$dir/authority/authority.pub")

  # every gateway's mesh address is a seed: gateways are the stable members of the mesh
  local seeds=() gw
  for gw in "${GATEWAYS[@]}"; do seeds+=("$(mesh_addr "$gw"):$EVERNET_GOSSIP_PORT"); done

  local r roles role ifaces clients c
  for r in "${ROUTERS[@]}"; do
    mkdir -p "$dir/$r"
    [ -f "$dir/$r/state/node.key" ] || "${ctl[@]}" keys generate --out "$dir/$r/state" >/dev/null \
      || die "evernetctl keys generate failed for $r"
    if is_gateway "$r"; then roles=node,gateway; role=gateway; else roles=node; role=node; fi
    "${ctl[@]}" cert issue --authority-key "$dir/authority/authority.key" --node-id "$dir/$r/state/node.pub" \
      --wg-public-key "$dir/$r/state/wireguard.pub" --name "$r" --roles "$roles" --days "$days" \
      --out "$dir/$r/node.cert" --force >/dev/null || die "evernetctl cert issue failed for $r"

    ifaces=(); for c in $(neighbours "$r"); do ifaces+=("m-$c"); done
    clients=(); c=$(client_of "$r"); [ -n "$c" ] && clients+=("$(client_net "$r").0/24")
    {
      printf '{\n'
      printf '  "nodeName": "%s",\n  "role": "%s",\n' "$r" "$role"
      printf '  "stateDirectory": "%s",\n' "$dir/$r/state"
      printf '  "authorities": [%s],\n' "$(json_list "$authority")"
      printf '  "certificateFile": "%s",\n' "$dir/$r/node.cert"
      printf '  "meshInterfaces": [%s],\n' "$(json_list "${ifaces[@]}")"
      printf '  "clientPrefixes": [%s],\n' "$(json_list "${clients[@]}")"
      printf '  "gossip": { "port": %s, "listenAddresses": [%s], "seeds": [%s] },\n' \
        $EVERNET_GOSSIP_PORT "$(json_list "$(mesh_addr "$r")")" "$(json_list "${seeds[@]}")"
      printf '  "wireGuard": { "listenPort": %s, "privateKeyFile": "%s" },\n' $EVERNET_WG_PORT "$dir/$r/state/wireguard.key"
      if is_gateway "$r"; then
        # the WAN is probed against the testbed's internet server (ICMP and its TCP echo port)
        printf '  "gateway": { "wanInterface": "wan", "capacityDownBps": 100000000, "capacityUpBps": 40000000, "probeIntervalMs": 200,\n'
        printf '    "probeTargets": [ { "kind": "icmp", "address": "%s" }, { "kind": "tcp", "address": "%s:%s" } ] },\n' \
          "$SERVER_ADDR" "$SERVER_ADDR" "$TCP_PORT"
      fi
      printf '  "controlSocket": "%s",\n' "$dir/$r/evernetd.sock"
      printf '  "logLevel": "Information"\n'
      printf '}\n'
    } >"$dir/$r/evernetd.json"
  done

  local failed=0 out
  for r in "${ROUTERS[@]}"; do
    if ! out=$("${evernetd[@]}" --check-config --config "$dir/$r/evernetd.json" 2>&1); then
      echo "testbed: evernetd --check-config rejects $dir/$r/evernetd.json:" >&2; echo "$out" >&2; failed=1
    fi
  done
  [ $failed = 0 ] || die "evernet-config: some configurations are invalid (see above)"
  log "evernet-config: authority $authority, ${#ROUTERS[@]} routers configured in $dir"
}

evernet_start() {
  [ $# -ge 1 ] || die "usage: evernet-start DIR [ROUTER...]"
  local dir; dir=$(cd "$1" && pwd) || die "no such directory $1"
  shift
  local evernetd r routers=("${ROUTERS[@]}")
  [ $# -eq 0 ] || routers=("$@")
  for r in "${routers[@]}"; do is_router "$r" || die "not a router: $r"; done
  read -r -a evernetd <<<"$(evernet_tool "${EVT_EVERNETD:-}" Evernet.Daemon evernetd)"
  for r in "${routers[@]}"; do
    [ -f "$dir/$r/evernetd.json" ] || die "$dir/$r/evernetd.json missing; run evernet-config first"
    # The keys were made by the ceremony, not by evernetd, so there is no version.ceiling yet and evernetd (rightly)
    # refuses to guess: on the first start the version floor continues from the clock.
    local first=()
    [ -f "$dir/$r/state/version.ceiling" ] || first=(--reset-version-floor)
    # its own /run/wireguard (see nsx_router); ip, sh and setsid exec in turn, so $! is evernetd's pid. A restart
    # appends to the log.
    ip netns exec "$(ns "$r")" sh -c "$WG_MOUNT" "$(wg_run_dir "$r")" setsid "${evernetd[@]}" --config "$dir/$r/evernetd.json" "${first[@]}" </dev/null >>"$dir/$r/evernetd.log" 2>&1 &
    echo $! >"$dir/$r/evernetd.pid"
  done
  log "evernet-start: evernetd started in ${#routers[@]} routers (logs in $dir/<router>/evernetd.log)"
}

evernet_stop() { # SIGTERM, then waits up to 10 s for each to exit (evernetd persists its state on the way out)
  [ $# -ge 1 ] || die "usage: evernet-stop DIR [ROUTER...]"
  local dir=$1 r pid pids=()
  shift
  local routers=("${ROUTERS[@]}")
  [ $# -eq 0 ] || routers=("$@")
  for r in "${routers[@]}"; do
    pid=$(cat "$dir/$r/evernetd.pid" 2>/dev/null) || continue
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
    rm -f "$dir/$r/evernetd.pid"
  done
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && return 0
    sleep 0.1
  done
  die "evernet-stop: evernetd did not exit within 10 s (pids ${pids[*]})"
}
