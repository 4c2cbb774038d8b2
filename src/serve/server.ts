/**
 * The servers' listening sockets (the agent's node:http handler, `serve`'s Hono app through
 * @hono/node-server), with the timeouts and limits that keep slow or greedy clients from holding
 * them: headers within 10 s, a request within 15 s, checked every second (Node checks every 30 s
 * unless told: a slow client would hold its connection up to 40 s), a bounded number of connections
 * (`serve`'s event streams are long-lived by design and capped by the app).
 */
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';

/** Bounds `server` and listens on `listen`; rejects with the listen error (EADDRINUSE...). */
export function listenBounded(
  server: Server,
  listen: { host: string; port: number },
  maxConnections: number,
): Promise<Server> {
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 50;
  server.maxConnections = maxConnections;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** How often the servers look for requests past their timeouts (`createServer`'s option). */
export const SERVER_OPTIONS = { connectionsCheckingInterval: 1_000 } as const;

export function listenApp(app: Hono, listen: { host: string; port: number }): Promise<Server> {
  const server = createAdaptorServer({ fetch: app.fetch, serverOptions: SERVER_OPTIONS }) as Server;
  return listenBounded(server, listen, 128);
}
