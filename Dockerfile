# syntax=docker/dockerfile:1
# mixpay-broker: build with every dependency, run with production dependencies only, as the
# unprivileged `node` user, one `node` process as PID 1 (it handles SIGTERM itself: drains requests
# for SHUTDOWN_GRACE_MS, then exits). See docs/deploy.md.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
# next build (the app in .next/) + esbuild (the server and its scripts in dist/).
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOST=0.0.0.0 \
    PORT=3000
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Next writes its cache under .next/ at run time: the only tree the process may write.
COPY --from=build --chown=node:node /app/.next ./.next
COPY --from=build /app/db/migrations ./db/migrations
COPY --from=build /app/package.json /app/next.config.mjs ./
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
# /api/health answers 200 once the store answers; Node 20 has fetch, so no curl in the image.
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/serve.mjs"]
