# syntax=docker/dockerfile:1
# One image recipe for every Flock workspace: `--build-arg SERVICE=services/users`,
# `SERVICE=operator`, … Every workspace is built the same way (tsc → dist/index.js, prod deps
# from the one root lockfile), so nine near-identical Dockerfiles would only drift apart;
# skaffold passes SERVICE per artifact. A workspace that ever needs more gets its own file.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG SERVICE
WORKDIR /app
COPY . .
# Compile the workspace and what it references, then keep production dependencies only.
RUN test -n "$SERVICE" && test -f "$SERVICE/package.json" \
 && npm ci --no-audit --no-fund \
 && npx tsc -b "$SERVICE" \
 && npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ARG SERVICE
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
# Workspace packages resolve through node_modules symlinks to their folders: ship the shared
# kit (every service uses it) and the service itself, compiled.
COPY --from=build /app/services/kit/package.json ./services/kit/
COPY --from=build /app/services/kit/dist ./services/kit/dist
COPY --from=build /app/${SERVICE}/package.json ./${SERVICE}/
COPY --from=build /app/${SERVICE}/dist ./${SERVICE}/dist
WORKDIR /app/${SERVICE}
# The image's `node` user (uid 1000); the pod runs with a read-only root filesystem.
USER 1000:1000
ENTRYPOINT ["node", "dist/index.js"]
