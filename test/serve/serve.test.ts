/**
 * `tcpscope serve` against the real kernel: a lab scenario (a CLOSE_WAIT leak) in one namespace, the
 * server in another reading it with --netns, asked over that namespace's loopback. Its API answers in
 * the CLI's shapes with ss's counts; the page, in a real Chromium inside the same namespace, shows
 * the counts, the chart and the diagram, filters the table with the `ls` flags and marks a new
 * connection; a process named `<img src=x onerror=alert(1)>` shows as text; nothing is loaded from
 * elsewhere; screenshots are kept in test/artifacts/. Bad requests, foreign Host headers, other
 * methods and missing tokens are refused (the routes one by one: routes.test.ts); it stops cleanly
 * on SIGTERM.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { LabRun } from '../../src/lab/start.js';
import { startLabScenario } from '../../src/lab/start.js';
import {
  abuseIn,
  assertHeldOff,
  fetchIn,
  type RunningAgent,
  requestIn,
  startServer,
} from '../helpers/agent.js';
import { launchChromium } from '../helpers/chromium.js';
import { BIN } from '../helpers/cli.js';
import { connectAndClose, makeNetns, type TestNetns } from '../helpers/netns.js';
import { ssStateCounts } from '../helpers/ss.js';
import { waitFor } from '../helpers/wait.js';

const PORT = 9465;
// build/test/serve -> <repo>/test/artifacts
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '../../../test/artifacts');
/** A program's name that would run script if the page wrote it as HTML. */
const HOSTILE = '<img src=x onerror=alert(1)>';
const HOSTILE_PORT = 7999;
const URL_ = `http://127.0.0.1:${PORT}`;

interface Counts {
  total: number;
  states: Record<string, number>;
}

const tracefsInstances = (): string[] => {
  const dir = '/sys/kernel/tracing/instances';
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('tcpscope-')) : [];
};

describe('tcpscope serve', { timeout: 240_000 }, () => {
  let lab: LabRun;
  let web: TestNetns;
  let server: RunningAgent;
  let hostile: ChildProcess | undefined;
  let hostileDir: string | undefined;
  const get = async <T>(path: string): Promise<T> => {
    const r = await fetchIn(web, `${URL_}${path}`);
    assert.equal(r.status, 200, `${path}: ${r.body}`);
    return JSON.parse(r.body) as T;
  };
  before(async () => {
    lab = await startLabScenario('close-wait-leak', { count: 8 });
    // A listener whose program is called HOSTILE (node through a link of that name): its comm is the
    // name's first 15 bytes, its command line the whole.
    hostileDir = mkdtempSync(join(tmpdir(), 'tcps-xss-'));
    symlinkSync(process.execPath, join(hostileDir, HOSTILE));
    hostile = spawn(
      'ip',
      [
        ...['netns', 'exec', lab.netns, join(hostileDir, HOSTILE), '-e'],
        `require('node:net').createServer().listen(${HOSTILE_PORT}, '127.0.0.1', () => console.log('ready'))`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await once(hostile.stdout!, 'data');
    web = makeNetns('web');
    server = await startServer(web, 'serve', ['--netns', lab.netns, '-n', '0.5', '--owners-every', '1']);
  });
  after(async () => {
    await server?.stop('SIGKILL');
    hostile?.kill('SIGKILL');
    if (hostileDir) rmSync(hostileDir, { recursive: true, force: true });
    await lab?.stop();
    web?.delete();
  });

  it("answers /api/counts in count --json's shape with ss's counts", async () => {
    await waitFor(
      'serve and ss agree',
      async () => {
        const before = ssStateCounts(lab.netns);
        const c = await get<Counts>('/api/counts');
        const after = ssStateCounts(lab.netns);
        const nonZero = Object.fromEntries(Object.entries(before).filter(([, n]) => n > 0));
        return (
          JSON.stringify(before) === JSON.stringify(after) &&
          JSON.stringify(c.states) === JSON.stringify(nonZero) &&
          c.total === Object.values(before).reduce((a, b) => a + b, 0)
        );
      },
      { timeoutMs: 30_000, everyMs: 300 },
    );
    const byPort = await get<{ by: string; rows: { key: string; states: Record<string, number> }[] }>(
      '/api/counts?by=port',
    );
    assert.equal(byPort.by, 'port');
    const row = byPort.rows.find((r) => r.key === String(lab.culprit.port));
    assert.equal(row?.states['CLOSE_WAIT'], 8, JSON.stringify(byPort));
  });

  it('filters /api/snapshot with the ls flags, in ls --json shape with owners', async () => {
    const snap = await get<{
      sockets: { state: string; owners?: { pid: number }[] }[];
      matched: number;
      source: string;
    }>(`/api/snapshot?filter=${encodeURIComponent('--state close-wait')}`);
    assert.equal(snap.source, 'netlink');
    assert.equal(snap.matched, 8);
    assert.ok(snap.sockets.every((s) => s.state === 'CLOSE_WAIT'));
    assert.ok(
      snap.sockets.every((s) => s.owners?.some((o) => o.pid === lab.culprit.pid)),
      'each held by the culprit',
    );
    const limited = await get<{ sockets: unknown[]; matched: number }>('/api/snapshot?limit=2');
    assert.equal(limited.sockets.length, 2);
    assert.ok(limited.matched > 2);
    const bad = await fetchIn(web, `${URL_}/api/snapshot?filter=${encodeURIComponent('--bogus')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.body, /^unknown filter '--bogus'/);
    assert.equal(bad.body.trim().split('\n').length, 1, 'one line');
  });

  it("serves the doctor's findings in doctor --json's shape, naming the leak", async () => {
    const d = await waitFor(
      'the leak found',
      async () => {
        const r = await fetchIn(web, `${URL_}/api/findings`);
        if (r.status !== 200) return undefined;
        const j = JSON.parse(r.body) as { findings: { rule: string; evidence: { ports?: number[] } }[] };
        return j.findings.some((f) => f.rule === 'close-wait-leak') ? j : undefined;
      },
      { timeoutMs: 30_000, everyMs: 500 },
    );
    assert.ok('windowSeconds' in d && 'skipped' in d && 'config' in d, Object.keys(d).join(' '));
  });

  it('keeps a history, pushes readings as server-sent events, and serves /metrics and the diagram', async () => {
    const h = await get<{ source: string; points: { time: number; counts: Record<string, number> }[] }>(
      '/api/history',
    );
    assert.equal(h.source, 'memory');
    assert.ok(h.points.length >= 2);
    assert.equal(h.points.at(-1)!.counts['CLOSE_WAIT'], 8);
    const since = await get<{ points: unknown[] }>(`/api/history?from=${h.points.at(-1)!.time}`);
    assert.ok(since.points.length >= 1 && since.points.length < h.points.length);
    const events = await web.node(
      `const r = await fetch(process.argv[1]);
       const reader = r.body.getReader();
       let text = '';
       while (!/\\n\\n[\\s\\S]*\\n\\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
       process.stdout.write(r.headers.get('content-type') + '\\n' + text);
       process.exit(0);`,
      [`${URL_}/api/events`],
      20_000,
    );
    assert.match(events, /^text\/event-stream/);
    const data = [...events.matchAll(/^data: (.*)$/gm)].map(
      (m) => JSON.parse(m[1]!) as Counts & { time: number },
    );
    assert.ok(data.length >= 2, events);
    assert.ok(data[1]!.time > data[0]!.time, 'one event per reading');
    assert.equal(data[1]!.states['CLOSE_WAIT'], 8);
    const metrics = await fetchIn(web, `${URL_}/metrics`);
    assert.match(metrics.body, /^node_tcp_connection_states\{state="close_wait"\} 8$/m);
    const svg = await fetchIn(web, `${URL_}/api/diagram.svg`);
    assert.match(svg.body, /^<svg/);
    assert.match(svg.body, /CLOSE_WAIT/);
  });

  it('refuses other methods, foreign Host headers and paths outside the page', async () => {
    const post = await requestIn(web, PORT, { method: 'POST', path: '/api/counts' });
    assert.equal(post.status, 405);
    const rebind = await requestIn(web, PORT, {
      path: '/api/counts',
      headers: { host: 'evil.example:9465' },
    });
    assert.equal(rebind.status, 403);
    for (const path of [
      '/assets/../../package.json',
      '/assets/..%2f..%2fpackage.json',
      '/assets/%2e%2e/src',
      '/etc/passwd',
    ])
      assert.equal((await requestIn(web, PORT, { path })).status, 404, path);
    const page = await requestIn(web, PORT, { path: '/' });
    assert.equal(page.status, 200);
    assert.match(page.headers['content-security-policy'] ?? '', /default-src 'none'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal((await requestIn(web, PORT, { path: '/api/counts?by=nonsense' })).status, 400);
    const health = await requestIn(web, PORT, { path: '/healthz' });
    assert.equal(health.status, 200, 'still serving');
  });

  it('holds off slow, oversized and malformed clients and goes on serving', async () => {
    const r = await abuseIn(web, PORT, '/api/counts');
    assertHeldOff(r);
    const health = await requestIn(web, PORT, { path: '/healthz' });
    assert.equal(health.status, 200, 'still serving');
  });

  describe('the page in Chromium', () => {
    let browser: Browser;
    let page: Page;
    let close: () => Promise<void>;
    const requests: string[] = [];
    const errors: string[] = [];
    const dialogs: string[] = [];
    before(async () => {
      ({ browser, close } = await launchChromium(web.name));
      page = await browser.newPage();
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(`${URL_}/`);
    });
    after(async () => {
      await close?.();
    });

    it("shows ss's counts, the chart and the live diagram", async () => {
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live', undefined, {
        timeout: 20_000,
      });
      await waitFor(
        'the page shows the CLOSE_WAIT count',
        async () =>
          (await page.locator('#states tr[data-state="CLOSE_WAIT"] td:nth-child(2)').textContent()) === '8',
        { timeoutMs: 20_000 },
      );
      await waitFor('the total equals ss', async () => {
        const ss = Object.values(ssStateCounts(lab.netns)).reduce((a, b) => a + b, 0);
        return (await page.locator('#total').textContent()) === String(ss);
      });
      assert.ok((await page.locator('#chart canvas').count()) >= 1, 'the chart is drawn');
      await page.waitForFunction(
        () => (document.getElementById('diagram') as HTMLImageElement).naturalWidth > 0,
      );
      await waitFor(
        "the doctor's finding of the leak",
        async () =>
          (await page.locator('#findings li.warning, #findings li.critical').allTextContents()).some((t) =>
            /CLOSE_WAIT/i.test(t),
          ),
        { timeoutMs: 20_000 },
      );
      const listeners = await page.locator('#listeners tbody tr').allTextContents();
      assert.ok(
        listeners.some((l) => l.includes(`:${lab.culprit.port}`)),
        listeners.join('|'),
      );
    });

    it('filters the table with the ls flags and marks a new connection', async () => {
      await page.fill('#filter', '--state close-wait');
      await page.click('#filter-form button');
      // The unfiltered table has the same eight CLOSE_WAIT rows: wait for the others to go too.
      await waitFor(
        'eight CLOSE_WAIT rows and no other',
        async () =>
          (await page.locator('#conns tbody tr[data-state="CLOSE_WAIT"]').count()) === 8 &&
          (await page.locator('#conns tbody tr:not([data-state="CLOSE_WAIT"])').count()) === 0,
        { timeoutMs: 15_000 },
      );
      // One more client connects and closes: the server never closes, a ninth CLOSE_WAIT appears, marked new.
      connectAndClose(lab.netns, lab.culprit.port);
      await waitFor(
        'a ninth CLOSE_WAIT marked new',
        async () =>
          (await page.locator('#conns tbody tr[data-state="CLOSE_WAIT"]').count()) === 9 &&
          (await page.locator('#conns tbody tr.new').count()) === 1,
        { timeoutMs: 15_000 },
      );
      const bad = '--port nonsense';
      await page.fill('#filter', bad);
      await page.click('#filter-form button');
      await waitFor(
        'the filter error shown',
        async () => ((await page.locator('#filter-error').textContent()) ?? '') !== '',
      );
    });

    it('shows a program named like HTML as text, and runs none of it', async () => {
      await page.fill('#filter', `--port ${HOSTILE_PORT}`);
      await page.click('#filter-form button');
      await waitFor(
        'the listener listed with its command line',
        async () =>
          (await page.locator('#listeners tbody tr').allTextContents()).some((t) => t.includes(HOSTILE)),
        { timeoutMs: 20_000 },
      );
      const cell = page.locator(`#conns tbody tr[data-state="LISTEN"] td:nth-child(6)`);
      await waitFor(
        'the table names it',
        async () => (await cell.textContent()) === `${HOSTILE.slice(0, 15)}/${hostile!.pid}`,
        {
          timeoutMs: 15_000,
        },
      );
      const title = (await cell.getAttribute('title')) ?? '';
      assert.ok(
        title.startsWith(join(hostileDir!, HOSTILE)),
        `the whole command line as a tooltip: ${title}`,
      );
      assert.equal(await page.locator('img[src="x"]').count(), 0, 'no element made from it');
      assert.deepEqual(dialogs, [], 'no script ran');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'serve-hostile-name.png'), fullPage: true });
      await page.fill('#filter', '');
      await page.click('#filter-form button');
      await page.screenshot({ path: join(ARTIFACTS, 'serve-page.png'), fullPage: true });
    });

    it('loads nothing from anywhere else and logs no error', () => {
      assert.ok(requests.length > 0);
      assert.deepEqual(
        requests.filter((u) => !u.startsWith(`${URL_}/`)),
        [],
        'every request goes to the server itself',
      );
      assert.deepEqual(
        errors.filter((e) => !/status of 400/.test(e)),
        [],
      );
    });
  });

  it('asks for a token off loopback and takes it as a header or once in the page address', async () => {
    const refused = await web.run(
      ['sh', '-c', `${process.execPath} ${BIN} serve --listen 0.0.0.0:9467 --no-trace; echo "exit $?"`],
      20_000,
    );
    assert.match(refused, /exit 2$/m);
    const token = 'a-token-of-sixteen-or-more';
    const guarded = await startServer(web, 'serve', [
      '--netns',
      lab.netns,
      '--listen',
      '0.0.0.0:9467',
      '--token',
      token,
      '--no-trace',
    ]);
    try {
      assert.equal((await requestIn(web, 9467, { path: '/api/counts' })).status, 401);
      assert.equal(
        (
          await requestIn(web, 9467, {
            path: '/api/counts',
            headers: { authorization: 'Bearer wrong-token-of-sixteen' },
          })
        ).status,
        401,
      );
      await waitFor(
        'a first reading',
        async () =>
          (await requestIn(web, 9467, { path: '/api/counts', headers: { authorization: `Bearer ${token}` } }))
            .status === 200,
      );
      const login = await requestIn(web, 9467, { path: `/?token=${token}` });
      assert.equal(login.status, 303);
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      assert.match(String(login.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
      assert.equal((await requestIn(web, 9467, { path: '/api/counts', headers: { cookie } })).status, 200);
      const badCookie = await requestIn(web, 9467, {
        path: '/api/counts',
        headers: { cookie: 'tcpscope_token=%E0%A4%A' },
      });
      assert.equal(badCookie.status, 401, 'a malformed cookie is no token');
    } finally {
      await guarded.stop('SIGTERM');
    }
  });

  it('charts what tcpscope record kept, with --db, before its own readings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tcps-serve-db-'));
    try {
      const db = join(dir, 'history.db');
      execFileSync(
        process.execPath,
        [BIN, 'record', '--netns', lab.netns, '--interval', '1', '--count', '2', '--db', db],
        {
          timeout: 30_000,
        },
      );
      const started = Date.now();
      const withDb = await startServer(web, 'serve', [
        '--netns',
        lab.netns,
        '--listen',
        '127.0.0.1:9468',
        '--db',
        db,
        '--no-trace',
      ]);
      try {
        const h = await waitFor('the history served', async () => {
          const r = await requestIn(web, 9468, { path: '/api/history?from=0' });
          return r.status === 200
            ? (JSON.parse(r.body) as {
                source: string;
                points: { time: number; counts: Record<string, number> }[];
              })
            : undefined;
        });
        assert.equal(h.source, 'history');
        const recorded = h.points.filter((p) => p.time < started);
        // The leak holds every CLOSE_WAIT made so far (the page's test added one): as many as ss shows.
        const held = ssStateCounts(lab.netns).CLOSE_WAIT;
        assert.ok(held >= 8);
        assert.equal(recorded.length, 2, JSON.stringify(h.points.map((p) => p.time)));
        assert.ok(
          recorded.every((p) => p.counts['CLOSE_WAIT'] === held),
          JSON.stringify(recorded),
        );
      } finally {
        await withDb.stop('SIGTERM');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops on SIGTERM with status 0 and leaves no tracefs instance', async () => {
    const pid = server.child.pid;
    const code = await server.stop('SIGTERM');
    assert.equal(code, 0, server.stderr());
    const left = tracefsInstances().filter((n) => n.includes(`-${pid}-`));
    assert.deepEqual(left, []);
  });
});
