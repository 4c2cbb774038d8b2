/**
 * Test helper run inside a test namespace as its own process: `node _scenario.js NAME PORT`.
 * Makes one connection scenario with known kernel transitions on PORT, then exits 0 once every
 * socket it made is closed. nftables drops (input hook) hold states where a scenario needs them.
 */
import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const [name, portText] = process.argv.slice(2);
const port = Number(portText);
const TABLE = `tcpscope_trace_${process.pid}`;

function nft(rules: string): void {
  execFileSync('nft', ['-f', '-'], { input: rules });
}
/** A table dropping, on the input hook, the packets the rules match. */
function drop(...rules: string[]): void {
  const body = rules.map((r) => `  ${r} drop\n`).join('');
  nft(`table inet ${TABLE} {\n chain in {\n  type filter hook input priority 0;\n${body} }\n}\n`);
}
function undrop(): void {
  execFileSync('nft', ['delete', 'table', 'inet', TABLE]);
}

const closed = (s: net.Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r())));

async function serve(host: string, onConn: (s: net.Socket) => void): Promise<net.Server> {
  const srv = net.createServer({ allowHalfOpen: true }, onConn);
  await new Promise<void>((r) => srv.listen(port, host, r));
  return srv;
}

async function connect(host: string): Promise<net.Socket> {
  const c = net.connect({ port, host, allowHalfOpen: true });
  await new Promise<void>((r, j) => {
    c.once('connect', r);
    c.once('error', j);
  });
  return c;
}

/** The server holds the connection `holdMs`, then both close (server first). */
async function openClose(host: string, holdMs: number): Promise<void> {
  let server: net.Socket | undefined;
  const srv = await serve(host, (s) => {
    server = s;
    s.resume();
    setTimeout(() => s.end(), holdMs);
    s.on('end', () => s.end());
  });
  const c = await connect(host);
  c.resume();
  c.on('end', () => c.end());
  await closed(c);
  if (server) await closed(server);
  srv.close();
}

const scenarios: Record<string, () => Promise<void>> = {
  'open-close': () => openClose('127.0.0.1', 300),
  'open-close6': () => openClose('::1', 100),
  refused: async () => {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', () => {});
    await closed(c);
  },
  rst: async () => {
    let server: net.Socket | undefined;
    const srv = await serve('127.0.0.1', (s) => {
      server = s;
      setTimeout(() => s.resetAndDestroy(), 100);
    });
    const c = await connect('127.0.0.1');
    c.on('error', () => {});
    await closed(c);
    if (server) await closed(server);
    srv.close();
  },
  'half-close': async () => {
    let server: net.Socket | undefined;
    const srv = await serve('127.0.0.1', (s) => {
      server = s;
      s.resume();
      // The client's half is closed: the server still sends, then closes its own.
      s.on('end', () => setTimeout(() => s.end('late data'), 300));
    });
    const c = await connect('127.0.0.1');
    c.resume();
    c.end();
    await closed(c);
    if (server) await closed(server);
    srv.close();
  },
  simultaneous: async () => {
    let server: net.Socket | undefined;
    const srv = await serve('127.0.0.1', (s) => {
      server = s;
      s.resume();
    });
    const c = await connect('127.0.0.1');
    c.resume();
    while (!server) await sleep(5);
    // Both FINs cross: each is dropped on arrival until both ends sit in FIN_WAIT1.
    drop(`tcp dport ${port}`, `tcp sport ${port}`);
    c.end();
    server.end();
    // Both FINs sent and dropped: each end in FIN_WAIT1 (ss shows it), then the drop goes.
    const deadline = Date.now() + 10_000;
    const finWait1 = () =>
      execFileSync('ss', ['-tanH', 'state', 'fin-wait-1', `( sport = :${port} or dport = :${port} )`], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter((l) => l.trim() !== '').length;
    while (finWait1() < 2 && Date.now() < deadline) await sleep(10);
    undrop();
    await Promise.all([closed(c), closed(server)]);
    srv.close();
  },
  'syn-recv': async () => {
    let server: net.Socket | undefined;
    const srv = await serve('127.0.0.1', (s) => {
      server = s;
      s.resume();
      s.on('end', () => s.end());
    });
    // The handshake's last ACK (a bare ACK) is dropped: the server's request sits in SYN_RECV.
    drop(`tcp dport ${port} tcp flags & (syn | ack | fin | rst | psh) == ack`);
    const c = await connect('127.0.0.1');
    await sleep(400);
    undrop();
    c.write('x'); // data completes the handshake
    c.resume();
    c.end();
    await closed(c);
    if (server) await closed(server);
    srv.close();
  },
  'time-wait': async () => {
    // Data each way, the client closes first and holds TIME_WAIT; 1.2 s later the timewait socket
    // is destroyed (SOCK_DESTROY through ss -K) rather than waited out.
    let server: net.Socket | undefined;
    const srv = await serve('127.0.0.1', (s) => {
      server = s;
      s.resume();
      s.write(Buffer.alloc(50_000, 1));
      s.on('end', () => s.end());
    });
    const c = await connect('127.0.0.1');
    let got = 0;
    c.on('data', (d: Buffer) => {
      got += d.length;
    });
    c.write(Buffer.alloc(30_000, 2));
    while (got < 50_000) await sleep(5);
    await sleep(300);
    c.end();
    await closed(c);
    if (server) await closed(server);
    srv.close();
    await sleep(1200);
    execFileSync('ss', ['-K', 'state', 'time-wait', 'dport', '=', `:${port}`], { stdio: 'ignore' });
  },
  'orphan-fin-wait2': async () => {
    // tcp_fin_timeout is 1 s in this namespace: the orphan's FIN_WAIT2 expires unannounced.
    let server: net.Socket | undefined;
    const srv = await serve('127.0.0.1', (s) => {
      server = s;
      s.resume();
    });
    const c = await connect('127.0.0.1');
    c.destroySoon();
    await closed(c);
    await sleep(1600);
    server?.end();
    server?.on('error', () => {});
    if (server) await closed(server);
    srv.close();
  },
};

// The test runner runs every file under test/: without arguments, this helper does nothing.
if (name === undefined) process.exit(0);
const run = scenarios[name];
if (!run) {
  process.stderr.write(`unknown scenario ${name}\n`);
  process.exit(2);
}
try {
  await run();
} finally {
  try {
    undrop();
  } catch {
    // No table left.
  }
}
