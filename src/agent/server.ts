/**
 * The agent's HTTP server (node:http, nothing else): `GET /metrics` returns the sampler's last text,
 * `GET /healthz` its health as JSON, `GET /explain/TOPIC` the knowledge base as text (the alert
 * rules' runbooks); any other path is 404, any other method 405. A token, when set,
 * is required as `Authorization: Bearer TOKEN` (compared in constant time). Requests carry no body
 * the agent reads; headers are bounded by Node's limit, slow clients by the timeouts below.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { bearerOf, tokenMatches } from '../net/listen.js';
import { listenBounded, SERVER_OPTIONS } from '../serve/server.js';
import { explainName, explainText } from '../views/explain.js';
import type { AgentSampler } from './sampler.js';

export interface AgentServerOptions {
  host: string;
  port: number;
  token?: string;
}

function authorised(req: IncomingMessage, token: string | undefined): boolean {
  return tokenMatches(bearerOf(req.headers.authorization) ?? '', token);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
}

/** Listens; resolves once bound (rejects with the system's error, e.g. EADDRINUSE). */
export function startAgentServer(sampler: AgentSampler, opts: AgentServerOptions): Promise<Server> {
  const server = createServer(SERVER_OPTIONS, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    if (!authorised(req, opts.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return send(
        res,
        401,
        'text/plain; charset=utf-8',
        'a token is required: Authorization: Bearer TOKEN\n',
      );
    }
    if (path === '/metrics') {
      const text = sampler.metrics();
      if (text === undefined) return send(res, 503, 'text/plain; charset=utf-8', 'no reading yet\n');
      return send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', text);
    }
    if (path === '/healthz') {
      const h = sampler.health();
      return send(res, h.ok ? 200 : 503, 'application/json', `${JSON.stringify(h)}\n`);
    }
    const name = explainName(path ?? '/');
    if (name === null) return send(res, 400, 'text/plain; charset=utf-8', 'bad escape in the path\n');
    if (name !== undefined) {
      const lang = /[?&]lang=zh\b/.test(req.url ?? '') ? 'zh' : 'en';
      void explainText(name, lang).then(
        (text) =>
          text === undefined
            ? send(res, 404, 'text/plain; charset=utf-8', `no state or topic '${name.slice(0, 64)}'\n`)
            : send(res, 200, 'text/plain; charset=utf-8', text),
        () => send(res, 500, 'text/plain; charset=utf-8', 'error\n'),
      );
      return;
    }
    if (path === '/') {
      return send(
        res,
        200,
        'text/plain; charset=utf-8',
        'tcpscope agent: /metrics, /healthz, /explain/TOPIC (the runbooks)\n',
      );
    }
    send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
  });
  return listenBounded(server, opts, 64);
}
