# One image for the gateway and the four subgraphs: compiled JavaScript on Node 22 LTS, production
# dependencies only, run as the unprivileged `node` user. The command picks the service:
#   node dist/gateway/index.js | node dist/subgraphs/<orders|customers|payments|logistics>/index.js
# and, with no command, the whole graph in one process on the embedded demo database (dist/scripts/start.js).

# Build: every dependency (TypeScript), then tsc to dist/ with the .graphql files beside the code.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY gateway ./gateway
COPY schema ./schema
COPY scripts ./scripts
COPY subgraphs ./subgraphs
COPY test/fixtures ./test/fixtures
COPY desk ./desk
RUN npm run build

# Run: production dependencies and dist/ only; no TypeScript, no tsx at run time.
FROM node:22-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 4000 4001 4002 4003 4004
# Liveness of the gateway's port; each compose service and Kubernetes probe names its own port and path.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD ["node", "dist/scripts/healthcheck.js"]
CMD ["node", "dist/scripts/start.js"]
