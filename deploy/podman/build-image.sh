#!/usr/bin/env bash
# `npm run image:build`: the CPU image with podman, on a machine without an image registry too.
#   1. the base image (deploy/base-image.sh) unless it exists: Debian bookworm + Node 20 from npm;
#   2. the proxy image for compose (deploy/base-image.sh nginx) unless it exists;
#   3. podman build --format docker (keeps HEALTHCHECK) --target cpu, tagged localhost/llm-provenance:cpu.
# The host's CA bundle goes in as the build secret `build_ca` (for registries behind a TLS proxy;
# never stored in the image). With a registry: NODE_IMAGE=node:20-bookworm-slim skips step 1.
# Needs root for step 1 and 2 (debootstrap). Uses deploy/podman/containers.conf when runc is installed
# and CONTAINERS_CONF is not set.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ -z "${CONTAINERS_CONF:-}" ] && command -v runc >/dev/null 2>&1; then export CONTAINERS_CONF="$PWD/deploy/podman/containers.conf"; fi
NODE_IMAGE="${NODE_IMAGE:-localhost/node:20-bookworm-local}"
NGINX_IMAGE="${NGINX_IMAGE:-localhost/nginx:local}"
IMAGE="${LLMP_IMAGE:-localhost/llm-provenance:cpu}"
out="${TMPDIR:-/tmp}"
if [ "$NODE_IMAGE" = localhost/node:20-bookworm-local ] && ! podman image exists "$NODE_IMAGE"; then
  OUT_DIR="$out" BASE_TAG="$NODE_IMAGE" nice -n 10 bash deploy/base-image.sh node
fi
if [ "$NGINX_IMAGE" = localhost/nginx:local ] && ! podman image exists "$NGINX_IMAGE" && [ "${SKIP_NGINX_IMAGE:-0}" != 1 ]; then
  OUT_DIR="$out" NGINX_TAG="$NGINX_IMAGE" nice -n 10 bash deploy/base-image.sh nginx
fi
secret=()
ca="${BUILD_CA:-/etc/ssl/certs/ca-certificates.crt}"
if [ -s "$ca" ]; then secret=(--secret "id=build_ca,src=$ca"); fi
start=$(date +%s)
nice -n 10 podman build --format docker --target cpu "${secret[@]}" \
  --build-arg NODE_IMAGE="$NODE_IMAGE" -t "$IMAGE" .
echo "built $IMAGE in $(( $(date +%s) - start )) s: $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
