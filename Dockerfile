# The worker image: built once, runs `npm run worker` (the worker alone: no dev server, no emulator) with configuration
# from the environment.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY emulators ./emulators
COPY bench ./bench
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
# Prometheus metrics from the SDK runtime
EXPOSE 9464
# npm runs the script with `exec`: the SIGTERM of `docker stop` reaches the worker, which stops and exits 0.
CMD ["npm", "run", "worker"]
