/**
 * `tcpscope serve`'s listening socket: the app on node:http through @hono/node-server, with the
 * timeouts and limits that keep slow or greedy clients from holding it (headers within 10 s, a
 * request within 15 s, at most 128 connections; event streams are long-lived by design and capped
 * by the app).
 */
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';

export function listenApp(app: Hono, listen: { host: string; port: number }): Promise<Server> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 50;
  server.maxConnections = 128;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
