/**
 * The built-in scenarios: each matches its golden output (regenerate with
 * scripts/regenerate-simulate-goldens.mjs and review the diff), and each teaches what it says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ladderText, simulationJson } from '../../src/render/index.js';
import { builtinScenario, SCENARIO_IDS, type SimResult, simulate } from '../../src/sim/index.js';
import type { TcpState } from '../../src/tcp/index.js';

// build/test/sim -> the source tree's test/fixtures/simulate
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/simulate');

const run = (id: string): SimResult => simulate(builtinScenario(id)!);
/** The distinct states one end passed through, in order. */
function path(res: SimResult, end: 'client' | 'server'): TcpState[] {
  const out: TcpState[] = [];
  for (const s of res.steps) if (out.at(-1) !== s[end].state) out.push(s[end].state);
  return out;
}
const anomalies = (res: SimResult) => res.steps.flatMap((s) => s.anomalies.map((a) => `${a.end}:${a.id}`));

describe('built-in scenarios', () => {
  it('offers the built-in scenarios simulate documents', () => {
    for (const id of [
      'three-way-handshake',
      'refused',
      'simultaneous-open',
      'normal-close',
      'simultaneous-close',
      'half-close',
      'lost-final-ack',
      'lost-syn-ack',
      'rst-established',
      'old-duplicate-syn',
      'syn-flood',
      'peer-vanishes',
      'close-with-unread-data',
    ]) {
      assert.ok(SCENARIO_IDS.includes(id), id);
    }
  });

  for (const id of SCENARIO_IDS) {
    it(`${id} matches its golden ladder and JSON`, () => {
      const res = run(id);
      assert.equal(res.truncated, false);
      assert.equal(ladderText(res), readFileSync(join(FIXTURES, `${id}.txt`), 'utf8'));
      const json = `${JSON.stringify(simulationJson(res), null, 2)}\n`;
      assert.equal(json, readFileSync(join(FIXTURES, `${id}.json`), 'utf8'));
    });
  }

  it('three-way-handshake: SYN_SENT then ESTABLISHED; SYN_RECV then ESTABLISHED', () => {
    const r = run('three-way-handshake');
    assert.deepEqual(path(r, 'client'), ['CLOSE', 'SYN_SENT', 'ESTABLISHED']);
    assert.deepEqual(path(r, 'server'), ['LISTEN', 'SYN_RECV', 'ESTABLISHED']);
  });

  it('refused: connect() meets RST and fails', () => {
    const r = run('refused');
    assert.deepEqual(path(r, 'client'), ['SYN_SENT', 'CLOSE']);
    assert.deepEqual(anomalies(r), ['server:no-socket', 'client:connection-refused']);
  });

  it('simultaneous-open: both ends through SYN_SENT and SYN_RECV, no listener', () => {
    const r = run('simultaneous-open');
    for (const end of ['client', 'server'] as const) {
      assert.deepEqual(path(r, end).slice(-3), ['SYN_SENT', 'SYN_RECV', 'ESTABLISHED']);
    }
  });

  it('normal-close: the active closer waits in TIME_WAIT, the passive one passes CLOSE_WAIT and LAST_ACK', () => {
    const r = run('normal-close');
    assert.deepEqual(path(r, 'client').slice(2), [
      'ESTABLISHED',
      'FIN_WAIT1',
      'FIN_WAIT2',
      'TIME_WAIT',
      'CLOSE',
    ]);
    assert.deepEqual(path(r, 'server').slice(2), ['ESTABLISHED', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSE']);
    const last = r.steps.at(-1)!;
    assert.equal(last.time - r.steps.find((s) => s.client.state === 'TIME_WAIT')!.time, 60_000);
  });

  it('simultaneous-close: both ends pass CLOSING and both wait in TIME_WAIT', () => {
    const r = run('simultaneous-close');
    for (const end of ['client', 'server'] as const) {
      assert.deepEqual(path(r, end).slice(-5), ['ESTABLISHED', 'FIN_WAIT1', 'CLOSING', 'TIME_WAIT', 'CLOSE']);
    }
  });

  it('half-close: the client keeps receiving data in FIN_WAIT2 and never times out', () => {
    const r = run('half-close');
    const fw2 = r.steps.filter(
      (s) => s.client.state === 'FIN_WAIT2' && s.kind === 'arrive' && s.packet!.segment.len > 0,
    );
    assert.equal(fw2.length, 2);
    assert.deepEqual(anomalies(r), []);
  });

  it('lost-final-ack: TIME_WAIT answers the retransmitted FIN, so LAST_ACK closes without an error', () => {
    const r = run('lost-final-ack');
    assert.ok(r.steps.some((s) => s.kind === 'lost'));
    assert.ok(r.steps.some((s) => s.kind === 'timer' && s.at === 'server'));
    assert.deepEqual(path(r, 'server').slice(-2), ['LAST_ACK', 'CLOSE']);
    assert.deepEqual(anomalies(r), [], 'no RST anywhere');
  });

  it('lost-syn-ack: retransmissions complete the handshake after about 1 s', () => {
    const r = run('lost-syn-ack');
    const est = r.steps.find((s) => s.client.state === 'ESTABLISHED')!;
    assert.ok(est.time >= 1000 && est.time < 1100, `connected at ${est.time} ms`);
    assert.equal(r.steps.at(-1)!.server.state, 'ESTABLISHED');
  });

  it('rst-established: a guessed RST gets a challenge ACK, the real one resets', () => {
    const r = run('rst-established');
    assert.deepEqual(anomalies(r), [
      'client:challenge-ack',
      'server:abort-by-program',
      'client:connection-reset',
    ]);
    assert.deepEqual(path(r, 'client').slice(-2), ['ESTABLISHED', 'CLOSE']);
  });

  it('old-duplicate-syn: the client resets the old connection, the server returns to LISTEN, then connects', () => {
    const r = run('old-duplicate-syn');
    assert.deepEqual(path(r, 'server'), ['LISTEN', 'SYN_RECV', 'LISTEN', 'SYN_RECV', 'ESTABLISHED']);
    assert.deepEqual(anomalies(r), ['client:bad-ack', 'server:rst-in-syn-recv']);
  });

  it('syn-flood: the client gets in only when the spoofed requests time out; with cookies at once', () => {
    const flood = run('syn-flood');
    assert.ok(flood.steps.filter((s) => s.kind === 'dropped').length >= 3);
    const t1 = flood.steps.find((s) => s.client.state === 'ESTABLISHED')!.time;
    const cookies = run('syn-flood-cookies');
    const t2 = cookies.steps.find((s) => s.client.state === 'ESTABLISHED')!.time;
    assert.ok(t1 > 7000 && t2 < 100, `flood ${t1} ms, cookies ${t2} ms`);
    assert.equal(
      cookies.steps.find((s) => s.server.state === 'ESTABLISHED')!.transitions[0]!.cause,
      'syn-cookie',
    );
    assert.equal(Math.max(...flood.steps.map((s) => s.server.others?.SYN_RECV ?? 0)), 4, 'the backlog');
  });

  it('peer-vanishes: half-open until the client sends; the restarted server resets it', () => {
    const r = run('peer-vanishes');
    const half = r.steps.filter((s) => s.client.state === 'ESTABLISHED' && s.server.down);
    assert.ok(half.length > 3);
    assert.deepEqual(anomalies(r).slice(-2), ['server:bad-ack', 'client:connection-reset']);
  });

  it('close-with-unread-data: RST instead of FIN, the server is reset', () => {
    const r = run('close-with-unread-data');
    assert.deepEqual(anomalies(r), ['client:abort-on-close', 'server:connection-reset']);
    assert.ok(!r.steps.some((s) => s.client.state === 'FIN_WAIT1'));
  });
});
