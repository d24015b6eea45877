#!/usr/bin/env bash
# Makes a Debian 12 base image locally, for machines that reach no container
# registry but a Debian mirror: debootstrap --variant=minbase bookworm, trimmed
# like the official -slim images (no docs, man pages or locales), apt sources
# for bookworm, bookworm-updates and bookworm-security, imported with podman.
#
#   deploy/docker/make-base-image.sh [--name NAME] [--mirror URL]
#       [--security-mirror URL] [--force]
#
# NAME defaults to localhost/jit-debian:12-minbase (pass it to build-images.sh
# --base). The mirrors default to the host's (/etc/apt/sources.list.d/
# debian.sources), else deb.debian.org. Does nothing when NAME exists, unless
# --force. Needs root, debootstrap and podman (Debian packages).
set -euo pipefail
name="localhost/jit-debian:12-minbase"
mirror=""
security=""
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --name) name="$2"; shift 2 ;;
    --mirror) mirror="$2"; shift 2 ;;
    --security-mirror) security="$2"; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "make-base-image.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
for tool in debootstrap podman; do
  command -v "$tool" >/dev/null || { echo "make-base-image.sh: $tool not found (apt-get install $tool)" >&2; exit 1; }
done
if [ "$force" = 0 ] && podman image exists "$name"; then
  echo "base image $name exists (--force to remake it)"
  exit 0
fi

# The host's mirrors: URIs lines of debian.sources, the one serving the
# bookworm suite and the one serving bookworm-security.
host_sources=/etc/apt/sources.list.d/debian.sources
if [ -f "$host_sources" ]; then
  [ -n "$mirror" ] || mirror="$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ {print u; exit}' "$host_sources")"
  [ -n "$security" ] || security="$(awk '/^URIs:/ {u=$2} /^Suites:/ && /bookworm-security/ {print u; exit}' "$host_sources")"
fi
mirror="${mirror:-http://deb.debian.org/debian}"
security="${security:-http://deb.debian.org/debian-security}"

work="$(mktemp -d /var/tmp/jit-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
echo "== debootstrap --variant=minbase bookworm from $mirror"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }

# apt sources as in the official image (deb822), and no stale lists.
rm -f "$rootfs/etc/apt/sources.list"
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# Trimmed like debian:*-slim: packages installed later leave out docs, man
# pages and translations too.
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/excludes" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs/usr/share/man/"* "$rootfs/usr/share/info/"* "$rootfs/usr/share/groff/"* \
  "$rootfs/usr/share/lintian/"* "$rootfs/var/cache/apt/"*.bin "$rootfs/var/lib/apt/lists/"* \
  "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/log/"*.log
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
# As in the official image: apt keeps no .debs or package caches.
cat >"$rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' >"$rootfs/etc/apt/apt.conf.d/docker-no-languages"
echo 'APT::AutoRemove::SuggestsImportant "false";' >"$rootfs/etc/apt/apt.conf.d/docker-autoremove-suggests"
# The build host's resolver and hostname do not belong in the image.
: >"$rootfs/etc/resolv.conf"
rm -f "$rootfs/etc/hostname"

echo "== podman import as $name (Debian $(cat "$rootfs/etc/debian_version"))"
tar --numeric-owner -C "$rootfs" -cf - . |
  podman import --change 'CMD ["bash"]' \
    --message "debootstrap --variant=minbase bookworm $mirror" - "$name" >/dev/null
podman image ls --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}' "$name"
