#!/bin/sh
# Publishes every build of evernetd and evernetctl into artifacts/ (gitignored) and prints their sizes.
#
#   packaging/build-all.sh [--out DIR] [--musl] [--deb] [--only NAME]
#
#   artifacts/linux-x64-aot/               NativeAOT, linux-x64 (what the amd64 .deb ships)
#   artifacts/linux-arm64-single-file/     self-contained, trimmed, single file, linux-arm64 (what the arm64 .deb ships)
#   artifacts/framework-dependent/         evernetd.dll + evernetctl.dll for `dotnet` (comparison, development)
#   artifacts/linux-musl-x64-single-file/  with --musl: self-contained trimmed single file for OpenWrt x86_64
#   artifacts/deb/                         with --deb: the amd64 .deb, from linux-x64-aot (no second publish)
#
# Each publish uses its own --artifacts-path, so the projects' bin/ and obj/ are left alone.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/artifacts"
musl=0
deb=0
only=""
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --musl) musl=1; shift ;;
        --deb) deb=1; shift ;;
        --only) only=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "build-all.sh: unknown argument: $1" >&2; exit 64 ;;
    esac
done
mkdir -p "$out"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/evernet-build-all.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# publish NAME PROJECT FLAGS...
publish() {
    name=$1; project=$2; shift 2
    [ -z "$only" ] || [ "$only" = "$name" ] || return 0
    echo "build-all.sh: $name: $project" >&2
    start=$(date +%s)
    if ! dotnet publish "$root/src/$project" -c Release -p:DebugType=none -p:StripSymbols=true \
        --artifacts-path "$scratch/$name" -o "$out/$name" "$@" >"$scratch/$name-$project.log" 2>&1; then
        cat "$scratch/$name-$project.log" >&2
        echo "build-all.sh: $name: publishing $project failed" >&2
        exit 1
    fi
    echo "build-all.sh: $name: $project took $(($(date +%s) - start)) s" >&2
}

for project in Evernet.Daemon Evernet.Ctl; do
    publish linux-x64-aot "$project" -r linux-x64 -p:PublishAot=true
    publish linux-arm64-single-file "$project" -r linux-arm64 --self-contained -p:PublishSingleFile=true -p:PublishTrimmed=true
    publish framework-dependent "$project"
    if [ "$musl" = 1 ]; then
        publish linux-musl-x64-single-file "$project" -r linux-musl-x64 --self-contained -p:PublishSingleFile=true -p:PublishTrimmed=true
    fi
done

if [ "$deb" = 1 ] && [ -x "$out/linux-x64-aot/evernetd" ]; then
    "$root/packaging/deb/build-deb.sh" --prebuilt "$out/linux-x64-aot" --out "$out/deb" >&2
fi

# Sizes: the files a router needs (the executables and libsodium; framework-dependent: the whole folder, plus the
# shared .NET runtime it needs and does not contain).
printf '%-28s %-14s %12s %9s\n' build file bytes MiB
for dir in "$out"/*/; do
    name=$(basename "$dir")
    case "$name" in deb) continue ;; esac
    for f in evernetd evernetctl evernetd.dll evernetctl.dll libsodium.so; do
        [ -f "$dir/$f" ] || continue
        bytes=$(wc -c <"$dir/$f")
        awk -v n="$name" -v f="$f" -v b="$bytes" 'BEGIN { printf "%-28s %-14s %12d %9.1f\n", n, f, b, b / 1048576 }'
    done
    total=$(du -sb "$dir" | cut -f1)
    awk -v n="$name" -v b="$total" 'BEGIN { printf "%-28s %-14s %12d %9.1f\n", n, "(folder)", b, b / 1048576 }'
done
for f in "$out"/deb/*.deb; do
    [ -f "$f" ] || continue
    bytes=$(wc -c <"$f")
    awk -v f="$(basename "$f")" -v b="$bytes" 'BEGIN { printf "%-28s %-14s %12d %9.1f\n", "deb", f, b, b / 1048576 }'
done
