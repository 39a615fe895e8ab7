# fleetwatch image: scheduler, worker, notifier and the fleetwatch CLI.
#   docker build -t fleetwatch .
#   docker run --rm fleetwatch fleetwatch --version
# Runs as uid:gid 1000:1000 (the base image's `node` user); files mounted into it (fleet
# file, SSH key, known_hosts) must be readable by that uid.

# ---- build: compile every workspace with the dev toolchain ----
# (the runtime stage's npm ci needs every workspace's package.json, as package-lock.json lists them)
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npm ci --no-audit --no-fund \
 && npx turbo run build --filter=@fleetwatch/cli... \
 && mkdir /out \
 && cp --parents package.json package-lock.json packages/*/package.json apps/*/package.json bench/package.json /out/ \
 && cp -r --parents apps/*/bin apps/*/dist packages/core/dist /out/

# ---- runtime: production dependencies and compiled output only ----
FROM node:20.20.2-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PATH=/app/node_modules/.bin:$PATH
WORKDIR /app
COPY --from=build /out/ /app/
# --ignore-scripts: ssh2's optional native crypto binding is not built (this image has no
# compiler); ssh2 then uses Node's own crypto, as a build without the binding always does.
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force
USER 1000:1000
ENTRYPOINT ["/usr/bin/tini", "-s", "--"]
CMD ["fleetwatch", "--help"]
