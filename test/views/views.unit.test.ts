/**
 * The JSON views over made-up tables: the shapes and key orders of docs/json.md for `count`, `ls`,
 * `who` and `doctor`, as the CLI prints them and the servers serve them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULTS } from '../../src/doctor/config.js';
import { diagnose } from '../../src/doctor/diagnose.js';
import { attribute } from '../../src/snapshot/attribute.js';
import type { Snapshot } from '../../src/tcp/socket.js';
import { countsView, countView } from '../../src/views/count.js';
import { doctorCaptureView, doctorView } from '../../src/views/doctor.js';
import { lsView } from '../../src/views/ls.js';
import { whoView } from '../../src/views/who.js';
import { input, listener, many, sock, windowed } from '../doctor/_tables.js';

const table = () => {
  const sockets = [
    listener(80, 10),
    ...many(3, (i) => sock('ESTABLISHED', '127.0.0.1', 80, '127.0.0.2', 40000 + i, 10)),
    ...many(2, (i) => sock('TIME_WAIT', '127.0.0.1', 80, '127.0.0.3', 41000 + i)),
    sock('CLOSE_WAIT', '127.0.0.1', 5000, '127.0.0.4', 443, 20),
  ];
  attribute(sockets);
  return sockets;
};

describe('countView', () => {
  it('counts per state, only the states present, in kernel order', () => {
    assert.equal(
      JSON.stringify(countView(table())),
      '{"total":7,"states":{"ESTABLISHED":3,"TIME_WAIT":2,"CLOSE_WAIT":1,"LISTEN":1}}',
    );
  });

  it('cross-tabs by port, process, peer and local with "(other)" past the top rows', () => {
    const byPort = countView(table(), { by: 'port', top: 1 });
    assert.deepEqual(byPort, {
      by: 'port',
      rows: [
        { key: '80', total: 6, states: { ESTABLISHED: 3, TIME_WAIT: 2, LISTEN: 1 } },
        { key: '(other)', other: true, total: 1, states: { CLOSE_WAIT: 1 } },
      ],
    });
    const byProcess = countView(table(), { by: 'process' });
    assert.deepEqual(
      byProcess.rows.map((r) => [r.key, r.total]),
      [
        ['app10[10]', 4],
        ['(timewait)', 2],
        ['app20[20]', 1],
      ],
    );
    assert.deepEqual(
      countView(table(), { by: 'peer' }).rows.map((r) => r.key),
      ['127.0.0.2', '127.0.0.3', '0.0.0.0', '127.0.0.4'],
    );
  });

  it('keeps only total and states of counts made elsewhere', () => {
    const fast = { total: 2, states: { LISTEN: 2 }, malformed: 0, warnings: ['w'] };
    assert.equal(JSON.stringify(countsView(fast)), '{"total":2,"states":{"LISTEN":2}}');
  });
});

describe('lsView', () => {
  const snap = (over: Partial<Snapshot> = {}): Snapshot => ({
    time: '2030-01-01T00:00:00.000Z',
    source: 'netlink',
    netns: { inode: 4026531840 },
    sockets: table(),
    ...over,
  });

  it('writes time, source, netns, sockets, unseen in that order', () => {
    assert.deepEqual(Object.keys(lsView(snap())), ['time', 'source', 'netns', 'sockets', 'unseen']);
    assert.deepEqual((lsView(snap()) as { unseen: unknown }).unseen, { processes: 0 });
  });

  it('says nothing of unseen processes when owners were not looked up, and says damage', () => {
    const bare = table().map(({ owners: _, ...s }) => s);
    const v = lsView(snap({ sockets: bare, malformed: 2, interrupted: true }));
    assert.deepEqual(Object.keys(v), ['time', 'source', 'netns', 'sockets', 'malformed', 'interrupted']);
  });
});

describe('whoView', () => {
  it('names the processes holding the port, then the sockets nobody holds', () => {
    const r = whoView(table(), { port: 80 });
    assert.deepEqual(
      r.processes.map((p) => [p.pid, p.command, p.sockets.length]),
      [[10, 'app10', 4]],
    );
    assert.deepEqual(
      r.unowned.map((s) => s.state),
      ['TIME_WAIT', 'TIME_WAIT'],
    );
    assert.deepEqual(Object.keys(r), ['port', 'processes', 'unowned']);
  });
});

describe('doctorView', () => {
  it('writes the diagnosis with the config, and the window only when there was one', () => {
    const now = input(table());
    const one = doctorView(now, diagnose(now), 0, DEFAULTS);
    assert.deepEqual(Object.keys(one), ['time', 'windowSeconds', 'findings', 'skipped', 'config']);
    const w = windowed([table(), table()]);
    const two = doctorView(w, diagnose(w), 1, DEFAULTS) as { snapshots: number };
    assert.deepEqual(Object.keys(two), [
      'time',
      'windowSeconds',
      'snapshots',
      'findings',
      'skipped',
      'config',
    ]);
    assert.equal(two.snapshots, 2);
  });

  it("writes a capture's diagnosis with its span, or a null time for an empty capture", () => {
    const d = { findings: [], skipped: [] };
    const c = { file: 'x.pcap', firstUs: 1_000_000, lastUs: 3_500_000, connections: 4, segments: 40 };
    assert.deepEqual(doctorCaptureView(c, d), {
      source: 'capture',
      file: 'x.pcap',
      time: '1970-01-01T00:00:03.500Z',
      windowSeconds: 2.5,
      connections: 4,
      segments: 40,
      findings: [],
      skipped: [],
    });
    const empty = doctorCaptureView({ ...c, firstUs: undefined, lastUs: 0 }, d) as { time: unknown };
    assert.equal(empty.time, null);
  });
});
