/**
 * `tcpscope agent` for the tests: started inside a namespace (ip netns exec), ready once it says
 * where it serves; scraped from inside that namespace; its exposition read back into series.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BIN } from './cli.js';
import type { TestNetns } from './netns.js';

export interface RunningAgent {
  child: ChildProcess;
  /** What it wrote on stderr so far. */
  stderr(): string;
  /** Sends `signal` and resolves with the exit code (or the signal's name). */
  stop(signal?: NodeJS.Signals): Promise<number | string | null>;
}

/** Starts `[wrap...] node tcpscope agent ARGS` inside `ns`; resolves once it serves. */
export function startAgent(ns: TestNetns, args: string[], wrap: string[] = []): Promise<RunningAgent> {
  return startServer(ns, 'agent', args, wrap);
}

/** Starts `[wrap...] node tcpscope COMMAND ARGS` (a server: agent, serve) inside `ns`; resolves once it serves. */
export async function startServer(
  ns: TestNetns,
  command: string,
  args: string[],
  wrap: string[] = [],
): Promise<RunningAgent> {
  const child = spawn('ip', ['netns', 'exec', ns.name, ...wrap, process.execPath, BIN, command, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let err = '';
  const exited = new Promise<number | string | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command}: not serving after 20 s: ${err}`)), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}: ${err}`));
    });
    createInterface({ input: child.stderr! }).on('line', (l) => {
      err += `${l}\n`;
      if (/serving http:/.test(l)) {
        clearTimeout(timer);
        resolve();
      }
    });
  }).catch((e) => {
    child.kill('SIGKILL');
    throw e;
  });
  return {
    child,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface Fetched {
  status: number;
  body: string;
}

/** GET `url` from inside `ns` (where the server listens on loopback). */
export async function fetchIn(
  ns: TestNetns,
  url: string,
  headers: Record<string, string> = {},
): Promise<Fetched> {
  const out = await ns.node(
    `const r = await fetch(process.argv[1], { headers: JSON.parse(process.argv[2]) });
     process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() }));`,
    [url, JSON.stringify(headers)],
  );
  return JSON.parse(out) as Fetched;
}

/** The samples of an exposition: `name{labels}` (as written) → value. */
export function parseExposition(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    m.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return m;
}

/** The samples of one family whose label text contains every one of `has`. */
export function samplesOf(series: Map<string, number>, family: string, ...has: string[]): [string, number][] {
  return [...series].filter(
    ([k]) => (k === family || k.startsWith(`${family}{`)) && has.every((h) => k.includes(h)),
  );
}

/** A raw HTTP request from inside `ns`, any method, path and Host (node:http, no URL normalising). */
export async function requestIn(
  ns: TestNetns,
  port: number,
  req: { method?: string; path: string; headers?: Record<string, string> },
): Promise<Fetched & { headers: Record<string, string> }> {
  const out = await ns.node(
    `import { request } from 'node:http';
     const o = JSON.parse(process.argv[1]);
     const r = request({ host: '127.0.0.1', port: o.port, method: o.method ?? 'GET', path: o.path, headers: o.headers ?? {} }, (res) => {
       let body = '';
       res.setEncoding('utf8');
       res.on('data', (d) => { if (body.length < 65536) body += d; });
       res.on('end', () => process.stdout.write(JSON.stringify({ status: res.statusCode, body, headers: res.headers })));
     });
     r.on('error', (e) => { process.stdout.write(JSON.stringify({ status: 0, body: e.message, headers: {} })); });
     r.end();`,
    [JSON.stringify({ port, ...req })],
  );
  return JSON.parse(out) as Fetched & { headers: Record<string, string> };
}

/** What `abuseIn` saw: each request's status line, and when each slow client was closed (s). */
export interface Abuse {
  health: string;
  big: string;
  garbage: string;
  body: string;
  closed: number[];
}

/**
 * From `ns`, against a server on 127.0.0.1:`port`: 30 clients that send the headers of a GET of
 * `path` a byte a second and never end them (slowloris); while they drip, /healthz, a 64 KB header, a
 * request line that is not HTTP and a POST of 2 MB to `path` (the body sent once the headers are answered); then up to 30 s for the server to close
 * the slow ones.
 */
export async function abuseIn(ns: TestNetns, port: number, path: string): Promise<Abuse> {
  const out = await ns.node(
    `import net from 'node:net';
     const port = Number(process.argv[1]);
     const path = process.argv[2];
     const start = Date.now();
     const closed = [];
     const slow = [];
     const started = [];
     for (let i = 0; i < 30; i++) {
       const c = net.connect(port, '127.0.0.1');
       // Each slow client has connected and sent the start of its request.
       started.push(new Promise((r) => c.on('connect', () => c.write('GET ' + path + ' HTTP/1.1\\r\\nHost: 127.0.0.1:' + port + '\\r\\nX-Slow: ', r))));
       c.on('error', () => {});
       c.on('close', () => closed.push((Date.now() - start) / 1000));
       slow.push(c);
     }
     const drip = setInterval(() => { for (const c of slow) if (!c.destroyed) c.write('a'); }, 1000);
     const ask = (text, after) => new Promise((resolve) => {
       const c = net.connect(port, '127.0.0.1', () => c.write(text));
       let got = '';
       c.on('data', (d) => {
         got += d;
         if (after !== undefined && got.includes('\\r\\n')) { c.write(after); after = undefined; }
       });
       c.on('error', () => {});
       c.on('close', () => resolve(got.split('\\r\\n')[0]));
       setTimeout(() => c.destroy(), 8000);
     });
     await Promise.all(started);
     const host = 'Host: 127.0.0.1:' + port + '\\r\\n';
     const health = await ask('GET /healthz HTTP/1.1\\r\\n' + host + 'Connection: close\\r\\n\\r\\n');
     const big = await ask('GET /healthz HTTP/1.1\\r\\n' + host + 'X-Big: ' + 'b'.repeat(65536) + '\\r\\n\\r\\n');
     const garbage = await ask('NOT HTTP AT ALL\\r\\n\\r\\n');
     // The body follows the headers once the answer to them has come: a server that answers before
     // reading a body closes with it unread, and the reset that brings could drop its answer.
     const body = await ask('POST ' + path + ' HTTP/1.1\\r\\n' + host + 'Content-Length: 2097152\\r\\nConnection: close\\r\\n\\r\\n', 'x'.repeat(2097152));
     const deadline = Date.now() + 30000;
     while (closed.length < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
     clearInterval(drip);
     for (const c of slow) c.destroy();
     process.stdout.write(JSON.stringify({ health, big, garbage, body, closed: closed.slice(0, 30) }));`,
    [String(port), path],
    60_000,
  );
  return JSON.parse(out) as Abuse;
}

/**
 * What a bounded server answers to `abuseIn`: /healthz while the slow clients drip, 431, 400 and 405
 * for the others, and every slow client cut off at headersTimeout (10 s, looked at every second).
 */
export function assertHeldOff(r: Abuse): void {
  assert.match(r.health, /^HTTP\/1\.1 200/, 'served while 30 clients dripped their headers');
  assert.match(r.big, /^HTTP\/1\.1 431/, 'a 64 KB header');
  assert.match(r.garbage, /^HTTP\/1\.1 400/, 'a request line that is not HTTP');
  assert.match(r.body, /^HTTP\/1\.1 405/, 'a 2 MB body to a GET route');
  assert.equal(r.closed.length, 30, `closed by the server: ${r.closed.join(' ')}`);
  for (const t of r.closed) assert.ok(t >= 9 && t <= 14, `a slow client closed after ${t} s`);
}
