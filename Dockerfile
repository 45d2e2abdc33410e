# syntax=docker/dockerfile:1
#
# llm-provenance service image. Two final targets:
#
#   docker build -t llm-provenance:cpu  --target cpu  .      (default target: the last one, `cpu`)
#   docker build -t llm-provenance:cuda --target cuda .      (NVIDIA GPU, DEVICE=cuda)
#
# BuildKit (the default since Docker 23; DOCKER_BUILDKIT=1 before) builds only the stages a target
# needs, so the cpu target never touches the CUDA base or NuGet.
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
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---------------------------------------------------------------------------------------------
# build: compile TypeScript, then drop the dev dependencies (tap, tsx, typescript...) and the
# onnxruntime binaries of other platforms (darwin, win32, the other linux arch: ~190 MB).
FROM deps AS build
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json \
 && npm prune --omit=dev --no-audit --no-fund \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 2 -maxdepth 2 \
      ! -path "*/linux/$(node -p process.arch)" -exec rm -rf {} + \
 && test -f "node_modules/onnxruntime-node/bin/napi-v6/linux/$(node -p process.arch)/onnxruntime_binding.node" \
 && npm cache clean --force

# ---------------------------------------------------------------------------------------------
# cuda-deps: the pruned node_modules plus onnxruntime-node's CUDA provider libraries
# (libonnxruntime_providers_cuda.so, _shared.so, _tensorrt.so). onnxruntime-node's install script
# (node_modules/onnxruntime-node/script/install.js, normally its postinstall) downloads them from
# the Microsoft.ML.OnnxRuntime.Gpu.Linux NuGet package of the same version (1.30.0) when
# ONNXRUNTIME_NODE_INSTALL=cuda12 (or when ONNXRUNTIME_NODE_INSTALL_CUDA is not `skip`); we call it
# explicitly so it also runs where npm skips install scripts. Needs https://api.nuget.org at build
# time (and only then).
FROM build AS cuda-deps
RUN ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js \
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
COPY --chown=root:root package.json ./
COPY --from=cuda-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY web ./web
COPY models ./models
USER 1000:1000
EXPOSE 8080
STOPSIGNAL SIGTERM
# slim images have no curl: ask Node itself; /readyz is 200 only once the models are loaded and warm
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
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
COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY web ./web
COPY models ./models
USER 1000:1000
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/server.js"]
