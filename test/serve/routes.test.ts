/**
 * The routes of `tcpscope serve` without a port: Hono's `app.request` against the app over a hub that
 * reads a real namespace (a holder's states and CLOSE_WAITs). Each answer's status, headers and shape,
 * the refusals (methods, Host headers, tokens, traversal, bad parameters, one line each), the
 * knowledge base in both languages, and the event streams' cap.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { createApp } from '../../src/serve/app.js';
import { loadAssets } from '../../src/serve/assets.js';
import { type Hub, startHub } from '../../src/serve/hub.js';
import { holdInNetns } from '../helpers/netns.js';
import { ssStateCounts } from '../helpers/ss.js';
import { waitFor } from '../helpers/wait.js';

const HOST = '127.0.0.1:9465';
const TOKEN = 'a-token-of-sixteen-or-more';

describe('the routes of serve', { timeout: 60_000 }, () => {
  const held = holdInNetns(['states', 'closewait']);
  let hub: Hub;
  let app: Hono;
  let guarded: Hono;
  const get = (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
    app.request(path, { ...init, headers: { host: HOST, ...headers } });

  before(async () => {
    hub = await startHub({
      netns: held.ns.name,
      intervalMs: 200,
      ownersEvery: 1,
      doctorEvery: 1,
      cmdline: true,
      trace: false,
    });
    await hub.ready;
    const common = { hub, assets: loadAssets(), listen: { host: '127.0.0.1', port: 9465 }, version: 'test' };
    app = createApp({ ...common, maxStreams: 1 });
    guarded = createApp({ ...common, token: TOKEN });
  });
  after(async () => {
    await hub?.stop();
  });

  it("answers /api/counts with ss's counts in count --json's shape", async () => {
    await waitFor(
      'serve and ss agree',
      async () => {
        const want = Object.fromEntries(Object.entries(ssStateCounts(held.ns.name)).filter(([, n]) => n > 0));
        const r = await get('/api/counts');
        const c = (await r.json()) as { total: number; states: Record<string, number> };
        return JSON.stringify(c.states) === JSON.stringify(want) ? c : undefined;
      },
      { timeoutMs: 20_000, everyMs: 200 },
    );
    const r = await get('/api/counts?by=port&top=3');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const by = (await r.json()) as { by: string; rows: unknown[] };
    assert.equal(by.by, 'port');
    assert.ok(by.rows.length <= 3 + 1, JSON.stringify(by)); // the top three and "other"
  });

  it('refuses bad parameters with 400 and one line', async () => {
    for (const path of [
      '/api/counts?by=nonsense',
      '/api/counts?by=port&top=ten',
      '/api/snapshot?limit=-1',
      `/api/snapshot?filter=${encodeURIComponent('--state nosuch')}`,
      `/api/snapshot?filter=${'x'.repeat(501)}`,
      '/api/history?from=yesterday-ish',
      '/explain/%E0%A4%A',
    ]) {
      const r = await get(path);
      assert.equal(r.status, 400, path);
      const body = await r.text();
      assert.equal(body.trim().split('\n').length, 1, `${path}: ${body}`);
    }
  });

  it('filters /api/snapshot with the ls flags, owners and command lines included', async () => {
    const closeWait = ssStateCounts(held.ns.name).CLOSE_WAIT;
    const r = await get(`/api/snapshot?filter=${encodeURIComponent('--state close-wait')}&limit=2`);
    const j = (await r.json()) as {
      sockets: { state: string; owners?: { pid: number; cmdline?: string }[] }[];
      matched: number;
    };
    assert.equal(j.matched, closeWait);
    assert.equal(j.sockets.length, 2);
    assert.ok(j.sockets.every((s) => s.state === 'CLOSE_WAIT'));
    assert.ok(
      j.sockets.every((s) => s.owners?.[0]?.pid === held.holder.pid),
      JSON.stringify(j.sockets),
    );
    const listeners = (await (await get('/api/listeners')).json()) as {
      listeners: { port: number; pid?: number; cmdline?: string }[];
    };
    const mine = listeners.listeners.filter((l) => l.pid === held.holder.pid);
    assert.ok(mine.length > 0);
    assert.ok(
      mine.every((l) => l.cmdline?.includes('holder.js')),
      JSON.stringify(mine),
    );
  });

  it('serves the knowledge base in English and Chinese, states and topics', async () => {
    const index = await get('/explain');
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await index.text(), /close-wait-leak/);
    const en = await (await get('/explain/close-wait')).text();
    assert.match(en, /CLOSE_WAIT/);
    const zh = await (await get('/explain/close-wait?lang=zh')).text();
    assert.match(zh, /[\u4e00-\u9fff]/, 'Chinese text');
    assert.notEqual(zh, en);
    // time-wait is a state and a topic: the plain word is the state, topic/ the topic.
    const state = await (await get('/explain/time-wait')).text();
    const topic = await (await get('/explain/topic/time-wait')).text();
    assert.notEqual(state, topic);
    assert.equal((await get('/explain/nonsense')).status, 404);
    assert.equal((await get('/explain/topic/close-wait-leak')).status, 200);
  });

  it('serves the page and its assets from memory only, with the security headers', async () => {
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.match(await page.text(), /<script src="\/assets\/app.js">/);
    const js = await get('/assets/app.js');
    assert.equal(js.status, 200);
    const etag = js.headers.get('etag')!;
    assert.equal((await get('/assets/app.js', { 'if-none-match': etag })).status, 304);
    for (const path of [
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/package.json',
      '/x',
    ])
      assert.equal((await get(path)).status, 404, path);
  });

  it('refuses other methods and foreign Host headers', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const r = await get('/api/counts', {}, { method });
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.get('allow'), 'GET, HEAD');
    }
    assert.equal((await get('/api/counts', { host: 'evil.example:9465' })).status, 403);
    assert.equal((await get('/api/counts', { host: 'localhost:9465' })).status, 200);
    assert.equal((await app.request('/api/counts')).status, 403, 'no Host header');
  });

  it('asks for the token, takes it as Bearer, or once on the page into a cookie', async () => {
    const ask = (path: string, headers: Record<string, string> = {}) =>
      guarded.request(path, { headers: { host: HOST, ...headers } });
    const none = await ask('/api/counts');
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await ask('/api/counts', { authorization: 'Bearer wrong-token-of-sixteen' })).status, 401);
    assert.equal((await ask('/api/counts', { authorization: `Bearer ${TOKEN}` })).status, 200);
    assert.equal((await ask(`/api/counts?token=${TOKEN}`)).status, 401, 'only the page takes ?token=');
    const login = await ask(`/?token=${TOKEN}`);
    assert.equal(login.status, 303);
    const set = login.headers.get('set-cookie') ?? '';
    assert.match(set, /; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.equal((await ask('/api/counts', { cookie: set.split(';')[0]! })).status, 200);
    assert.equal((await ask('/api/counts', { cookie: 'tcpscope_token=%E0%A4%A' })).status, 401);
    assert.equal((await ask(`/?token=wrong-token-of-sixteen`)).status, 401);
  });

  it('serves /metrics, /healthz, the history and the live diagram', async () => {
    const m = await get('/metrics');
    assert.equal(m.status, 200);
    assert.match(m.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const want = ssStateCounts(held.ns.name).CLOSE_WAIT;
    assert.match(
      await m.text(),
      new RegExp(`^node_tcp_connection_states\\{state="close_wait"\\} ${want}$`, 'm'),
    );
    const h = (await (await get('/healthz')).json()) as { ok: boolean };
    assert.equal(h.ok, true);
    const hist = (await (await get('/api/history')).json()) as { source: string; points: unknown[] };
    assert.equal(hist.source, 'memory');
    assert.ok(hist.points.length >= 1);
    const svg = await get('/api/diagram.svg?lang=zh&theme=dark');
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    assert.match(await svg.text(), /^<svg/);
    const t = (await (await get('/api/transitions')).json()) as {
      transitions: unknown[];
      unavailable?: string;
    };
    assert.deepEqual(t.transitions, []);
    assert.match(t.unavailable ?? '', /not traced/);
  });

  it('pushes readings as server-sent events, and refuses streams beyond its cap', async () => {
    const abort = new AbortController();
    const r = await get('/api/events', {}, { signal: abort.signal });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = r.body!.getReader();
    let text = '';
    while (!/\n\n[\s\S]*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const events = [...text.matchAll(/^data: (.*)$/gm)].map((x) => JSON.parse(x[1]!) as { time: number });
    assert.ok(events.length >= 2 && events[1]!.time > events[0]!.time, text);
    const second = await get('/api/events');
    assert.equal(second.status, 503, 'one stream at most here');
    abort.abort();
    await reader.cancel().catch(() => undefined);
    await waitFor(
      'the stream closed and counted down',
      async () => {
        const again = new AbortController();
        const r3 = await get('/api/events', {}, { signal: again.signal });
        again.abort();
        await r3.body?.cancel().catch(() => undefined);
        return r3.status === 200;
      },
      { timeoutMs: 5_000 },
    );
  });
});
