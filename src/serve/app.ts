/**
 * The routes of `tcpscope serve` (Hono), over the hub's readings and the views the CLI prints:
 *
 * | path | what |
 * |---|---|
 * | `/` and `/assets/NAME` | the page (built into dist/web, served from memory) |
 * | `/api/counts` | `count --json`: `{ total, states }`, or `?by=port\|process\|peer\|local&top=N` |
 * | `/api/snapshot` | `ls --json` of the last reading, `?filter=` the `ls` filter flags, `?limit=` rows (500) |
 * | `/api/findings` | `doctor --json` of the doctor's last run over the last two readings |
 * | `/api/history` | `{ source, points: [{ time, counts }] }`, `?from=&to=` in ms since the epoch |
 * | `/api/transitions` | `{ transitions, unavailable? }`, the last ones traced (tracefs) |
 * | `/api/listeners` | the listening sockets with their programs, command lines and queues |
 * | `/api/diagram.svg` | the state diagram with the live counts on each state |
 * | `/api/events` | server-sent events: one `sample` per reading |
 * | `/metrics`, `/healthz` | Prometheus's text format (docs/metrics.md), health |
 * | `/explain`, `/explain/NAME` | the knowledge base as text, `?lang=zh` (what alerts and findings link to) |
 *
 * GET and HEAD only; a token, when set, is required as `Authorization: Bearer`, or once as `?token=`
 * on the page (kept in a same-site, HTTP-only cookie); a Host header that is not this server's is
 * refused (DNS rebinding); every answer says `nosniff` and what the page may load (itself only).
 */

import type { Context } from 'hono';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { filterSpec, parseFilterLine } from '../cli/socket-options.js';
import { isUserError, UsageError } from '../errors.js';
import { metricsFromDoctor } from '../metrics/from-doctor.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from '../metrics/render.js';
import { formatEndpoint } from '../net/endpoint.js';
import { bearerOf, isLoopbackHost, tokenMatches } from '../net/listen.js';
import { diagramSvg } from '../render/diagram-svg.js';
import { processKey } from '../render/socket-text.js';
import type { CountKey } from '../snapshot/aggregate.js';
import { buildFilter } from '../snapshot/filter.js';
import { countView } from '../views/count.js';
import { doctorView } from '../views/doctor.js';
import { explainName, explainText } from '../views/explain.js';
import { lsView } from '../views/ls.js';
import type { Asset } from './assets.js';
import type { Hub } from './hub.js';

export interface AppOptions {
  hub: Hub;
  assets: ReadonlyMap<string, Asset>;
  /** The address listened on: Host headers naming it (or localhost on loopback) are accepted. */
  listen: { host: string; port: number };
  token?: string;
  version: string;
  /** Read the history from here beyond what the hub keeps in memory. */
  history?: (q: {
    from?: number;
    to?: number;
  }) => Promise<{ time: number; counts: Record<string, number> }[]>;
  /** Server-sent event streams open at once (32 by default); more are refused with 503. */
  maxStreams?: number;
}

const COOKIE = 'tcpscope_token';
const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/** The names this server answers to in a Host header. */
function hostsOf(listen: { host: string; port: number }): Set<string> {
  const names = new Set<string>();
  const add = (h: string): void => {
    names.add(`${h}:${listen.port}`);
    if (listen.port === 80) names.add(h);
  };
  const wildcard = listen.host === '0.0.0.0' || listen.host === '::';
  add(listen.host.includes(':') ? `[${listen.host}]` : listen.host);
  if (isLoopbackHost(listen.host) || wildcard) {
    add('localhost');
    add('127.0.0.1');
    add('[::1]');
  }
  return names;
}

function cookieToken(c: Context): string | undefined {
  const m = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]*)`).exec(c.req.header('cookie') ?? '');
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!);
  } catch {
    return undefined; // a malformed escape is no token
  }
}

function intParam(c: Context, name: string, dflt: number, max: number): number {
  const v = c.req.query(name);
  if (v === undefined || v === '') return dflt;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name}: '${v.slice(0, 32)}' is not a number`);
  return Math.min(Number(v), max);
}

function timeParam(c: Context, name: string): number | undefined {
  const v = c.req.query(name);
  if (v === undefined || v === '') return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new UsageError(`${name}: '${v.slice(0, 32)}' is not a time`);
  return n;
}

const BY: readonly CountKey[] = ['port', 'process', 'peer', 'local'];

export function createApp(o: AppOptions): Hono {
  const app = new Hono();
  const hosts = hostsOf(o.listen);
  const wildcard = o.listen.host === '0.0.0.0' || o.listen.host === '::';
  const maxStreams = o.maxStreams ?? 32;
  let streams = 0;

  app.onError((e, c) => {
    // A bad parameter (ours, or a state name the pure modules refused): one line, 400.
    if (e instanceof UsageError || (isUserError(e) && e.code === 'EUSAGE'))
      return c.text(`${e.message.split('\n')[0]}\n`, 400);
    return c.text('internal error\n', 500);
  });
  app.notFound((c) => c.text('not found\n', 404));

  app.use('*', async (c, next) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.header(k, v);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      c.header('Allow', 'GET, HEAD');
      return c.text('method not allowed\n', 405);
    }
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!wildcard && !hosts.has(host)) return c.text('unknown Host\n', 403);
    if (o.token !== undefined) {
      const given = bearerOf(c.req.header('authorization')) ?? cookieToken(c);
      if (!tokenMatches(given, o.token)) {
        const asked = c.req.query('token');
        if (c.req.path === '/' && asked !== undefined && tokenMatches(asked, o.token)) {
          c.header('Set-Cookie', `${COOKIE}=${encodeURIComponent(asked)}; Path=/; HttpOnly; SameSite=Strict`);
          return c.redirect('/', 303);
        }
        c.header('WWW-Authenticate', 'Bearer');
        return c.text('a token is required: Authorization: Bearer TOKEN, or open /?token=TOKEN once\n', 401);
      }
    }
    await next();
    return undefined;
  });

  const asset = (c: Context, name: string): Response => {
    const a = o.assets.get(name);
    if (!a) return c.text('not found\n', 404);
    if (c.req.header('if-none-match') === a.etag) return c.body(null, 304);
    c.header('Content-Type', a.type);
    c.header('ETag', a.etag);
    c.header('Cache-Control', 'no-cache');
    return c.body(new Uint8Array(a.body));
  };
  app.get('/', (c) => asset(c, 'index.html'));
  app.get('/assets/:name', (c) => asset(c, c.req.param('name')));

  const noReading = (c: Context): Response => c.text('no reading yet\n', 503);

  app.get('/api/counts', (c) => {
    const s = o.hub.latest();
    if (!s) return noReading(c);
    const by = c.req.query('by');
    if (by === undefined) return c.json(countView(s.sockets));
    if (!BY.includes(by as CountKey)) throw new UsageError(`by: one of ${BY.join(', ')}`);
    return c.json(countView(s.sockets, { by: by as CountKey, top: intParam(c, 'top', 10, 1000) }));
  });

  app.get('/api/snapshot', (c) => {
    const s = o.hub.latest();
    if (!s?.snapshot) return noReading(c);
    const text = c.req.query('filter') ?? '';
    if (text.length > 500) throw new UsageError('filter: too long');
    const match = buildFilter(filterSpec(parseFilterLine(text)));
    const limit = intParam(c, 'limit', 500, 100_000);
    const matched = s.sockets.filter(match);
    return c.json({
      ...lsView({ ...s.snapshot, sockets: matched.slice(0, limit) }),
      matched: matched.length,
    });
  });

  app.get('/api/findings', (c) => {
    const d = o.hub.latest()?.doctor;
    if (!d) return c.text('the doctor has not run yet\n', 503);
    const seconds = d.input.interval?.seconds ?? 0;
    return c.json(doctorView(d.input, d.diagnosis, Math.round(seconds * 10) / 10, d.config));
  });

  app.get('/api/history', async (c) => {
    const q: { from?: number; to?: number } = {};
    const from = timeParam(c, 'from');
    const to = timeParam(c, 'to');
    if (from !== undefined) q.from = from;
    if (to !== undefined) q.to = to;
    const kept = o.hub.history(q);
    if (o.history && (kept.length === 0 || (from ?? 0) < kept[0]!.time)) {
      const older = await o.history({ ...q, ...(kept[0] ? { to: kept[0].time - 1 } : {}) });
      return c.json({ source: 'history', points: [...older, ...kept] });
    }
    return c.json({ source: 'memory', points: kept });
  });

  app.get('/api/transitions', (c) => {
    const s = o.hub.latest();
    const limit = intParam(c, 'limit', 200, 1000);
    return c.json({
      transitions: o.hub.transitions(limit),
      ...(s?.transitionsUnavailable !== undefined ? { unavailable: s.transitionsUnavailable } : {}),
    });
  });

  app.get('/api/listeners', (c) => {
    const s = o.hub.latest();
    if (!s) return noReading(c);
    const rows = s.sockets
      .filter((k) => k.state === 'LISTEN')
      .map((k) => ({
        local: formatEndpoint(k.local.address, k.local.port),
        port: k.local.port,
        process: processKey(k),
        ...(k.owners?.[0] ? { pid: k.owners[0].pid } : {}),
        ...(k.owners?.[0]?.cmdline ? { cmdline: k.owners[0].cmdline } : {}),
        queue: k.recvQ,
        backlog: k.sendQ,
      }))
      .sort((a, b) => a.port - b.port || a.local.localeCompare(b.local));
    return c.json({ listeners: rows });
  });

  app.get('/api/diagram.svg', (c) => {
    const e = o.hub.lastEvent();
    const lang = c.req.query('lang') === 'zh' ? 'zh' : 'en';
    const theme = c.req.query('theme') === 'dark' ? 'dark' : 'light';
    c.header('Content-Type', 'image/svg+xml');
    return c.body(diagramSvg({ path: 'all', lang, theme, ...(e ? { counts: e.states } : {}) }));
  });

  app.get('/api/events', (c) => {
    if (streams >= maxStreams) return c.text('too many event streams\n', 503);
    streams++;
    return streamSSE(c, async (stream) => {
      let id = 0;
      const queue: string[] = [];
      let wake: (() => void) | undefined;
      const push = (e: unknown): void => {
        queue.push(JSON.stringify(e));
        if (queue.length > 10) queue.splice(0, queue.length - 10);
        wake?.();
      };
      const last = o.hub.lastEvent();
      if (last) push(last);
      const off = o.hub.subscribe(push);
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      try {
        while (!closed) {
          while (queue.length > 0 && !closed)
            await stream.writeSSE({ event: 'sample', data: queue.shift()!, id: String(id++) });
          if (closed) break;
          // Until the next reading, or 15 s for a keep-alive comment: one timer at a time.
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 15_000);
            wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          wake = undefined;
          if (queue.length === 0 && !closed) await stream.write(': keep-alive\n\n');
        }
      } finally {
        off();
        streams--;
      }
    });
  });

  const dropped = new Map<string, number>();
  // One text a reading, made at the first scrape after it: scrapes between readings get the same
  // text (as the agent's do), and tcpscope_series_dropped_total counts readings, not scrapes.
  let rendered: { reading: object; text: string } | undefined;
  app.get('/metrics', (c) => {
    const s = o.hub.latest();
    if (!s?.snapshot || !s.counters) return noReading(c);
    if (rendered?.reading !== s) {
      const previous = o.hub.previousSnapshot();
      const took = o.hub.health().lastSeconds;
      const text = renderMetrics(
        {
          snapshot: s.snapshot,
          ...(previous ? { previous } : {}),
          counters: s.counters,
          // What the doctor read last (it runs every few readings): the port range, the listeners' programs.
          ...metricsFromDoctor(s.doctor?.input),
          ...(s.doctor ? { findings: s.doctor.diagnosis.findings } : {}),
          tracefs: s.transitionsUnavailable === undefined,
          ...(took !== undefined ? { sampleSeconds: took } : {}),
        },
        { version: o.version, dropped },
      );
      rendered = { reading: s, text };
    }
    c.header('Content-Type', METRICS_CONTENT_TYPE);
    return c.body(rendered.text);
  });

  const explain = async (c: Context): Promise<Response> => {
    const name = explainName(new URL(c.req.url).pathname);
    if (name === null) throw new UsageError('bad escape in the path');
    const text = await explainText(name ?? '', c.req.query('lang') === 'zh' ? 'zh' : 'en');
    if (text === undefined) return c.text(`no state or topic '${(name ?? '').slice(0, 64)}'\n`, 404);
    return c.text(text);
  };
  app.get('/explain', explain);
  app.get('/explain/*', explain);

  app.get('/healthz', (c) => {
    const h = o.hub.health();
    return c.json(h, h.ok ? 200 : 503);
  });

  return app;
}
