#!/bin/sh
# Builds the evernet Debian package (evernetd, evernetctl, the systemd unit, the default configuration) with dpkg-deb.
#
#   packaging/deb/build-deb.sh [--arch amd64|arm64] [--out DIR] [--flavor aot|single-file] [--version VERSION]
#                              [--prebuilt DIR]
#
#   --arch      amd64 (default, linux-x64) or arm64 (linux-arm64)
#   --flavor    aot: NativeAOT (default for amd64); single-file: self-contained, trimmed single file (default for
#               arm64: NativeAOT cannot cross-compile to arm64 without an arm64 C toolchain and sysroot)
#   --out       where the .deb goes (default: artifacts/deb)
#   --version   package version (default: 0.1.0, plus +git<date>.<commit> inside a git checkout)
#   --prebuilt  take evernetd, evernetctl and libsodium.so from DIR instead of publishing (build-all.sh's output)
#
# Publishing uses its own --artifacts-path, so it never touches the projects' bin/ and obj/ (a test run may be using
# them). Prints the path of the .deb on its last line.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
arch=amd64
flavor=""
out="$root/artifacts/deb"
version=""
prebuilt=""
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) arch=$2; shift 2 ;;
        --flavor) flavor=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --version) version=$2; shift 2 ;;
        --prebuilt) prebuilt=$2; shift 2 ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "build-deb.sh: unknown argument: $1" >&2; exit 64 ;;
    esac
done

case "$arch" in
    amd64) rid=linux-x64; flavor=${flavor:-aot} ;;
    arm64) rid=linux-arm64; flavor=${flavor:-single-file} ;;
    *) echo "build-deb.sh: --arch must be amd64 or arm64, not $arch" >&2; exit 64 ;;
esac
case "$flavor" in
    aot|single-file) ;;
    *) echo "build-deb.sh: --flavor must be aot or single-file, not $flavor" >&2; exit 64 ;;
esac
if [ "$flavor" = aot ] && [ "$arch" != amd64 ] && [ -z "$prebuilt" ]; then
    echo "build-deb.sh: NativeAOT is built for amd64 only here (cross-compiling needs an $arch toolchain); use --flavor single-file" >&2
    exit 64
fi
command -v dpkg-deb >/dev/null || { echo "build-deb.sh: dpkg-deb not found (apt-get install dpkg-dev)" >&2; exit 69; }

base_version=0.1.0
if [ -z "$version" ]; then
    version=$base_version
    if commit=$(git -C "$root" rev-parse --short=8 HEAD 2>/dev/null); then
        version="$base_version+git$(git -C "$root" log -1 --format=%cd --date=format:%Y%m%d HEAD).$commit"
    fi
fi
case "$version" in
    [0-9]*) ;;
    *) echo "build-deb.sh: a Debian version starts with a digit: $version" >&2; exit 64 ;;
esac
# The assembly version (evernetd --version) is the numeric part.
assembly_version=$(printf '%s' "$version" | sed 's/[^0-9.].*//')

work=$(mktemp -d "${TMPDIR:-/tmp}/evernet-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

bin="$work/bin"
if [ -n "$prebuilt" ]; then
    bin=$prebuilt
else
    case "$flavor" in
        aot) publish_flags="-p:PublishAot=true" ;;
        single-file) publish_flags="--self-contained -p:PublishSingleFile=true -p:PublishTrimmed=true" ;;
    esac
    for project in Evernet.Daemon Evernet.Ctl; do
        echo "build-deb.sh: publishing $project ($flavor, $rid)..." >&2
        # shellcheck disable=SC2086 # publish_flags is a word list
        dotnet publish "$root/src/$project" -c Release -r "$rid" $publish_flags -p:Version="$assembly_version" \
            -p:DebugType=none -p:StripSymbols=true --artifacts-path "$work/artifacts" -o "$bin" \
            >"$work/publish-$project.log" 2>&1 \
            || { cat "$work/publish-$project.log" >&2; echo "build-deb.sh: publishing $project failed" >&2; exit 1; }
    done
fi
for file in evernetd evernetctl libsodium.so; do
    [ -f "$bin/$file" ] || { echo "build-deb.sh: $bin/$file is missing" >&2; exit 1; }
done

pkg="$work/pkg"
install -d -m 0755 "$pkg/DEBIAN" "$pkg/usr/lib/evernet" "$pkg/usr/bin" "$pkg/lib/systemd/system" \
    "$pkg/etc/evernet" "$pkg/usr/share/doc/evernet/examples"
install -m 0755 "$bin/evernetd" "$bin/evernetctl" "$pkg/usr/lib/evernet/"
install -m 0644 "$bin/libsodium.so" "$pkg/usr/lib/evernet/"
# NativeAOT and single-file hosts resolve their own directory through the symlink: libsodium.so is found beside them.
ln -s ../lib/evernet/evernetd "$pkg/usr/bin/evernetd"
ln -s ../lib/evernet/evernetctl "$pkg/usr/bin/evernetctl"
install -m 0644 "$root/packaging/systemd/evernetd.service" "$pkg/lib/systemd/system/"
install -m 0640 "$root/packaging/evernetd.example.json" "$pkg/etc/evernet/evernetd.json"
install -m 0644 "$root/packaging/evernetd.example.json" "$pkg/usr/share/doc/evernet/examples/"
for doc in packaging.md configuration.md operations.md; do
    [ -f "$root/docs/$doc" ] && install -m 0644 "$root/docs/$doc" "$pkg/usr/share/doc/evernet/"
done
cat >"$pkg/usr/share/doc/evernet/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: evernet
Comment: Evernet Gossip. Bundles libsodium (ISC licence) and, statically linked, the .NET runtime and libraries
 (MIT licence).

Files: *
Copyright: the Evernet Gossip developers
License: see the project repository
EOF
install -m 0755 "$root/packaging/deb/debian/postinst" "$root/packaging/deb/debian/prerm" "$root/packaging/deb/debian/postrm" "$pkg/DEBIAN/"
install -m 0644 "$root/packaging/deb/debian/conffiles" "$pkg/DEBIAN/"

# The glibc the binaries were linked against (NativeAOT on the build host's glibc). libssl3: .NET loads libcrypto for
# SHA-256 and TLS (HTTP probes, the web admin page) at run time, so no linker dependency shows it.
glibc=$(objdump -T "$pkg/usr/lib/evernet/evernetd" "$pkg/usr/lib/evernet/evernetctl" 2>/dev/null \
    | sed -n 's/.*GLIBC_\([0-9][0-9.]*\).*/\1/p' | sort -t. -k1,1n -k2,2n -k3,3n | tail -1)
libc_dep="libc6${glibc:+ (>= $glibc)}"
installed_size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat >"$pkg/DEBIAN/control" <<EOF
Package: evernet
Version: $version
Architecture: $arch
Maintainer: Evernet Gossip developers <evernet@invalid>
Installed-Size: $installed_size
Depends: $libc_dep, libssl3 | libssl3t64, adduser, iproute2, nftables, wireguard-tools, procps
Recommends: wireguard-go
Section: net
Priority: optional
Description: decentralized SD-WAN for community meshes (evernetd, evernetctl)
 evernetd exchanges signed gateway-health and load summaries with the other
 routers of the mesh over a SWIM-style gossip protocol, derives its WireGuard
 peers and multipath route weights across the gateways and fails over from a
 dead uplink in well under a second. evernetctl inspects and steers it and
 handles the offline key and certificate ceremony.
 .
 wireguard-go is needed where the kernel has no WireGuard module.
EOF

mkdir -p "$out"
deb="$out/evernet_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
