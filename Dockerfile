# syntax=docker/dockerfile:1
# One image for all three processes (api, worker, core-banking simulator);
# docker-compose.yml picks the process with `command`.
#   docker build -t ibmb-user-lifecycle .

# --- build: TypeScript to dist/ plus the prebuilt workflow bundle ------------------
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY . .
# The commit in the worker's build id (lib/build-id.ts; RUN sees a build argument as a
# variable); .git stays out of the context.
ARG IBMB_COMMIT=unknown
RUN npm run build

# --- runtime: production dependencies and dist/ only --------------------------------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
# /data and /ui-codec are created here, owned by node, so fresh named volumes mounted there
# inherit that ownership and the unprivileged process can write its state, keys and
# outboxes (/data) and the Temporal UI's codec token (/ui-codec, docker-compose.yml).
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
 && mkdir -p /data /ui-codec \
 && chown node:node /data /ui-codec
# Code stays root-owned: the process can read it but not change it.
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 4010
CMD ["node", "dist/api/main.js"]
