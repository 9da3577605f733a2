/**
 * The image's health check (node:22-slim has no curl): `node dist/scripts/healthcheck.js [port] [path]`
 * exits 0 when http://127.0.0.1:<port><path> answers 2xx within 2 s. Port: GATEWAY_PORT (4000) unless
 * given; path /healthz (the process is alive) unless given, /readyz for "can serve".
 */
const port = process.argv[2] ?? process.env.GATEWAY_PORT ?? '4000';
const path = process.argv[3] ?? '/healthz';

fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(2_000) })
  .then((res) => process.exit(res.ok ? 0 : 1))
  .catch(() => process.exit(1));
