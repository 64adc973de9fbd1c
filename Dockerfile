# syntax=docker/dockerfile:1
# The Logsieve policy server. Build from the repository root:
#
#   docker build -t logsieve/server .
#   docker run -d --init -p 127.0.0.1:7070:7070 -v logsieve-data:/data logsieve/server
#
# Stage `build` installs the workspace (compiling better-sqlite3 if no prebuilt binary fits) and bundles
# the `logsieve-server` bin; stage `runtime` holds only that bundle and the server's production
# dependencies, and runs as the unprivileged `node` user with the SQLite database on the /data volume.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Keep in step with "packageManager" in package.json (test/deploy.test.ts checks it).
ARG PNPM_VERSION=10.34.9
# better-sqlite3 falls back to node-gyp when no prebuilt binary matches the platform: python3, make, g++.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/* \
  && npm install -g pnpm@${PNPM_VERSION}
WORKDIR /repo
# Only the lockfile decides what is downloaded, so this layer stays cached until dependencies change.
COPY pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
# Only the server, its workspace dependencies and the root (for tsup): examples and SDKs are not installed.
RUN pnpm install --offline --frozen-lockfile --filter "@logsieve/server..." --filter logsieve
# Workspace packages export TypeScript sources; the bundle inlines them (deploy/server/tsup.config.ts).
RUN cd packages/server && /repo/node_modules/.bin/tsup --config /repo/deploy/server/tsup.config.ts
# A self-contained copy of the server package: its files ("files": dist) plus production node_modules.
RUN pnpm --filter @logsieve/server deploy --prod --legacy /out
# Keep the compiled addon, drop its build tree and sources (about 15 MB).
RUN set -e; for d in /out/node_modules/.pnpm/better-sqlite3@*/node_modules/better-sqlite3; do \
    cp "$d/build/Release/better_sqlite3.node" /tmp/addon.node; \
    rm -rf "$d/build" "$d/deps" "$d/src"; \
    mkdir -p "$d/build/Release"; \
    mv /tmp/addon.node "$d/build/Release/better_sqlite3.node"; \
  done

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
  LOGSIEVE_HOST=0.0.0.0 \
  LOGSIEVE_PORT=7070 \
  LOGSIEVE_DB=/data/logsieve.db
WORKDIR /app
# Code stays owned by root (the server cannot rewrite itself); only /data belongs to the `node` user.
COPY --from=build /out /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 7070
# Slim images have no curl: ask /health with node's own fetch.
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.LOGSIEVE_PORT||7070)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "/app/dist/logsieve-server.js"]
