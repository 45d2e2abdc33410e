# syntax=docker/dockerfile:1
#
# llm-provenance service image. Two final targets:
#
#   docker build -t llm-provenance:cpu  --target cpu  .      (default target: the last one, `cpu`)
#   docker build -t llm-provenance:cuda --target cuda .      (NVIDIA GPU, DEVICE=cuda)
#
# BuildKit (the default since Docker 23; DOCKER_BUILDKIT=1 before) builds only the stages a target
# needs, so the cpu target never touches the CUDA base or NuGet. podman (buildah) does the same; it
# needs `--format docker` to keep HEALTHCHECK (the OCI image format has no such field):
#
#   podman build --format docker -t llm-provenance:cpu .
#
# Without an image registry, make the base first (deploy/base-image.sh: Debian packages + Node 20
# from npm) and name it:  --build-arg NODE_IMAGE=localhost/node:20-bookworm-local
#
# Both bake the trained models of models/ into the image (nothing is downloaded at run time), run as
# the non-root user 1000, listen on 0.0.0.0:8080 and report health with HEALTHCHECK on /readyz.
# See deploy/README.md.

ARG NODE_IMAGE=node:20-bookworm-slim
# onnxruntime-node 1.30's CUDA execution provider is built for CUDA 12 and cuDNN 9; the `cudnn`
# runtime image brings libcudart, libcublas(Lt), libcufft, libcurand and libcudnn 9. The host needs
# an NVIDIA driver for CUDA 12.8 (>= 570; older 12.x drivers work through CUDA minor-version
# compatibility for most kernels) and the NVIDIA Container Toolkit.
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

# ---------------------------------------------------------------------------------------------
# deps: every dependency, from the lockfile only. ONNXRUNTIME_NODE_INSTALL=skip: the CPU provider
# ships inside the npm package; the CUDA provider (~400 MB) is fetched only in the cuda-deps stage.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip \
    ONNXRUNTIME_NODE_INSTALL_CUDA=skip
COPY package.json package-lock.json ./
# Optional build secret `build_ca`: extra CA certificates, for a registry reached through a
# TLS-intercepting proxy (`--secret id=build_ca,src=/etc/ssl/certs/ca-certificates.crt`). A secret
# mount is never stored in a layer. npm 10 can exit 0 after failed fetches ("Exit handler never
# called"), hence the check that the dependencies are really there.
RUN --mount=type=secret,id=build_ca,required=false \
    if [ -s /run/secrets/build_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build_ca; fi \
 && npm ci --no-audit --no-fund \
 && test -f node_modules/fastify/package.json && test -f node_modules/typescript/package.json

# ---------------------------------------------------------------------------------------------
# build: compile TypeScript (tsconfig also names training/, bench/, scripts/: .dockerignore keeps
# them out of the context, so only src/ is compiled). The only stage a source change re-runs.
FROM deps AS build
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json && test -f dist/src/server.js

# ---------------------------------------------------------------------------------------------
# prod-deps: the runtime dependencies only: drop the dev dependencies (tap, tsx, typescript...) and
# the onnxruntime binaries of other platforms (darwin, win32, the other linux arch: ~190 MB).
# Depends on the lockfile alone, so the node_modules layer is reused across source changes.
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 2 -maxdepth 2 \
      ! -path "*/linux/$(node -p process.arch)" -exec rm -rf {} + \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 1 -type d -empty -delete \
 && (rmdir node_modules/@types 2>/dev/null || true) \
 && test -f "node_modules/onnxruntime-node/bin/napi-v6/linux/$(node -p process.arch)/onnxruntime_binding.node" \
 && test ! -e node_modules/typescript && test ! -e node_modules/tap \
 && npm cache clean --force

# ---------------------------------------------------------------------------------------------
# cuda-deps: the pruned node_modules plus onnxruntime-node's CUDA provider libraries
# (libonnxruntime_providers_cuda.so, _shared.so, _tensorrt.so). onnxruntime-node's install script
# (node_modules/onnxruntime-node/script/install.js, normally its postinstall) downloads them from
# the Microsoft.ML.OnnxRuntime.Gpu.Linux NuGet package of the same version (1.30.0) when
# ONNXRUNTIME_NODE_INSTALL=cuda12 (or when ONNXRUNTIME_NODE_INSTALL_CUDA is not `skip`); we call it
# explicitly so it also runs where npm skips install scripts. Needs https://api.nuget.org at build
# time (and only then).
FROM prod-deps AS cuda-deps
RUN --mount=type=secret,id=build_ca,required=false \
    if [ -s /run/secrets/build_ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build_ca; fi \
 && ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_shared.so

# ---------------------------------------------------------------------------------------------
# cuda: NVIDIA CUDA 12 + cuDNN 9 runtime, Node 20 copied from the official image (its binary is
# built for glibc 2.28, Ubuntu 24.04 has 2.39), DEVICE=cuda.
FROM ${NODE_IMAGE} AS node
FROM ${CUDA_IMAGE} AS cuda
COPY --from=node /usr/local/bin/node /usr/local/bin/node
# uid 1000 is `ubuntu` in the base image; rename it so that both images run as 1000:1000 "node"
RUN (userdel --remove ubuntu 2>/dev/null || true) \
 && (groupdel ubuntu 2>/dev/null || true) \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /usr/sbin/nologin --create-home node \
 && node --version
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    MODEL_DIR=/app/models \
    DEVICE=cuda \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
# layers from the least to the most often changed: models, dependencies, then the service itself
COPY models ./models
COPY --from=cuda-deps /app/node_modules ./node_modules
COPY package.json ./
COPY web ./web
COPY --from=build /app/dist ./dist
USER 1000:1000
EXPOSE 8080
STOPSIGNAL SIGTERM
# slim images have no curl: ask Node itself; /readyz is 200 only once the models are loaded and warm
HEALTHCHECK --interval=10s --timeout=10s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/server.js"]

# ---------------------------------------------------------------------------------------------
# cpu (default): Debian slim + Node 20, the CPU provider that ships with onnxruntime-node.
FROM ${NODE_IMAGE} AS cpu
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    MODEL_DIR=/app/models \
    DEVICE=cpu
# layers from the least to the most often changed: models (280 MB, only with a model release),
# dependencies (only with the lockfile), then the service itself, so a source change rebuilds and
# ships about 1 MB
COPY models ./models
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY web ./web
COPY --from=build /app/dist ./dist
USER 1000:1000
EXPOSE 8080
STOPSIGNAL SIGTERM
# --timeout=10s: the check starts a node process; on a 2-core host at load average 15 that took
# longer than 3 s six times in a row (test/deploy/container.test.ts, measured), /readyz itself is fast
HEALTHCHECK --interval=10s --timeout=10s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/server.js"]
