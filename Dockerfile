# One image for the gateway and the four subgraphs; docker-compose.yml picks the entry point.
FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY desk ./desk
COPY gateway ./gateway
COPY schema ./schema
COPY scripts ./scripts
COPY subgraphs ./subgraphs
COPY test/fixtures ./test/fixtures
USER node
CMD ["node", "--import", "tsx", "scripts/start.ts"]
