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
# Compile the workspace and the workspaces it references (tsc -b follows the references),
# keep production dependencies only, and drop sources so only package.json + dist remain.
# The gateway also serves the web client, so its image carries web/dist (empty for the others).
RUN test -n "$SERVICE" && test -f "$SERVICE/package.json" \
 && npm ci --no-audit --no-fund \
 && npx tsc -b "$SERVICE" \
 && mkdir -p web/dist \
 && if [ "$SERVICE" = services/gateway ]; then npm run build --workspace web --if-present; fi \
 && npm ci --omit=dev --no-audit --no-fund \
 && rm -rf services/*/src services/*/test services/*/*.tsbuildinfo "$SERVICE/src" "$SERVICE/test"

FROM ${NODE_IMAGE}
ARG SERVICE
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
# Workspace packages resolve through node_modules symlinks to their folders, and a service
# may import others (the gateway imports the services' schemas, a caller its callee's
# dist/client, which `tsc -b` built through the client's project reference): ship the compiled
# services.
COPY --from=build /app/services ./services
COPY --from=build /app/${SERVICE} ./${SERVICE}
COPY --from=build /app/web/dist ./web/dist
WORKDIR /app/${SERVICE}
# The image's `node` user (uid 1000); the pod runs with a read-only root filesystem.
USER 1000:1000
ENTRYPOINT ["node", "--import", "@flock/kit/tracing", "dist/index.js"]
