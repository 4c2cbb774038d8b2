import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inNetns, NETNS_RUN_DIR, prepareNetns } from '../../src/kernel/netns.js';
import { systemClock } from '../../src/stats/clock.js';
import { type CounterInterval, sampleCounters } from '../../src/stats/sampler.js';
import { sarRow } from '../../src/stats/sar.js';
import { type CounterSource, openCounterSource } from '../../src/stats/source.js';
import { makeNetns, OPEN_CLOSE, type TestNetns } from '../helpers/netns.js';
import { rawClose, rawListen } from '../helpers/raw-listen.js';

/** One interval whose "sleep" is `between`: what it does lands between the two samples. */
async function around(source: CounterSource, between: () => Promise<unknown>): Promise<CounterInterval> {
  const clock = { ...systemClock, sleep: async () => void (await between()) };
  for await (const iv of sampleCounters({ intervalMs: 1, count: 1, clock, read: () => source.sample() }))
    return iv;
  throw new Error('no interval');
}

/** Connects `n` times to 127.0.0.1:port without waiting for answers, holds 1.5 s, then leaves. */
const FLOOD = `
import net from "node:net";
const n = Number(process.argv[1]), port = Number(process.argv[2]);
const socks = [];
for (let i = 0; i < n; i++) {
  const c = net.connect({ host: "127.0.0.1", port });
  c.on("error", () => {});
  socks.push(c);
  await new Promise((r) => setTimeout(r, 20));
}
await new Promise((r) => setTimeout(r, 1500));
for (const c of socks) c.destroy();
`;

describe('the counter sampler in a private namespace', () => {
  let ns: TestNetns;
  let source: CounterSource;
  before(async () => {
    ns = makeNetns('lib');
    source = await openCounterSource({ netns: ns.name, states: true });
  });
  after(() => ns?.close());

  it('sees N connections opened and closed between two samples as N active and N passive opens', async () => {
    const n = 20;
    const iv = await around(source, () => ns.node(OPEN_CLOSE, [String(n), '8080']));
    assert.equal(iv.delta['TcpActiveOpens'], n);
    assert.equal(iv.delta['TcpPassiveOpens'], n);
    assert.equal(iv.delta['TcpAttemptFails'], 0);
    assert.equal(iv.delta['TcpEstabResets'], 0);
    assert.ok(iv.seconds > 0);
    const tcp = sarRow('TCP', iv);
    assert.ok(Math.abs(tcp['active/s']! * iv.seconds - n) < 1e-9, 'active/s is the delta over the real time');
    assert.ok(Math.abs(tcp['passive/s']! * iv.seconds - n) < 1e-9);
    assert.ok(
      iv.delta['TcpInSegs']! >= 4 * n && iv.delta['TcpOutSegs']! >= 4 * n,
      'each connection is 4+ segments each way on lo',
    );
    assert.equal(iv.sample.states!.TIME_WAIT, n, 'each client closed first: N TIME_WAIT');
    assert.equal(iv.sample.sockstat['TCP']!['tw'], n);
  });

  it('sees a refused connect as an attempt failure and the kernel RST as an outgoing reset', async () => {
    const code = `import net from "node:net"; const c = net.connect(9, "127.0.0.1"); await new Promise((r) => c.on("error", r));`;
    const iv = await around(source, () => ns.node(code));
    assert.equal(iv.delta['TcpActiveOpens'], 1);
    assert.equal(iv.delta['TcpAttemptFails'], 1);
    assert.equal(iv.delta['TcpOutRsts'], 1);
    assert.ok(Math.abs(sarRow('ETCP', iv)['atmptf/s']! * iv.seconds - 1) < 1e-9);
  });

  it('counts the overflows of a listener with a tiny backlog that never accepts', async () => {
    await prepareNetns();
    const fd = inNetns(`${NETNS_RUN_DIR}/${ns.name}`, ns.name, () => rawListen(9000, 1));
    try {
      const n = 8;
      const iv = await around(source, () => ns.node(FLOOD, [String(n), '9000']));
      // The accept queue holds backlog + 1 = 2 children; every later handshake overflows it.
      const overflows = iv.delta['TcpExtListenOverflows']!;
      assert.ok(overflows >= n - 2, `ListenOverflows ${overflows}, expected at least ${n - 2}`);
      assert.ok(iv.delta['TcpExtListenDrops']! >= overflows, 'every overflow is also a drop');
      assert.ok(sarRow('LISTEN', iv)['ListenOverflows/s']! > 0);
    } finally {
      rawClose(fd);
    }
  });
});
