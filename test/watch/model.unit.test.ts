/** The watch view's model, screen and keys, from made-up tables. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filterLine, parseFilterLine } from '../../src/cli/socket-options.js';
import { textWidth } from '../../src/render/width.js';
import type { Socket } from '../../src/tcp/socket.js';
import type { TcpState } from '../../src/tcp/states.js';
import {
  applySample,
  createModel,
  listed,
  listing,
  markOf,
  moveSelection,
  sparkline,
  tops,
} from '../../src/watch/model.js';
import { fit, renderPlain, renderScreen } from '../../src/watch/screen.js';
import { decodeKeys } from '../../src/watch/terminal.js';

function sock(state: TcpState, lport: number, rport: number, cmd = 'app'): Socket {
  return {
    state,
    family: 4,
    local: { address: '10.0.0.1', port: lport },
    remote: { address: '10.0.0.2', port: rport },
    recvQ: 0,
    sendQ: 0,
    inode: lport * 100000 + rport,
    uid: 0,
    owners: [{ pid: 42, fd: 3, command: cmd, user: 'root' }],
  };
}

describe('watch model', () => {
  it('marks new, changed and closed connections for a few refreshes, none at the start', () => {
    const m = createModel('CLOSE_WAIT');
    const a = sock('ESTABLISHED', 80, 5000);
    applySample(m, { time: 1, sockets: [a] });
    assert.equal(markOf(m, m.views[0]!), undefined, 'what is there at the start is not new');
    applySample(m, { time: 2, sockets: [{ ...a, state: 'CLOSE_WAIT' }, sock('CLOSE_WAIT', 80, 5001)] });
    const marks = listed(m).map((c) => [c.remote, markOf(m, c), c.previous]);
    assert.deepEqual(marks, [
      ['10.0.0.2:5001', 'new', undefined],
      ['10.0.0.2:5000', 'changed', 'ESTABLISHED'],
    ]);
    assert.equal(m.before?.CLOSE_WAIT, 0);
    assert.equal(m.counts.CLOSE_WAIT, 2);
    applySample(m, { time: 3, sockets: [sock('CLOSE_WAIT', 80, 5001)] });
    assert.deepEqual(
      listed(m).map((c) => [c.remote, markOf(m, c)]),
      [
        ['10.0.0.2:5001', 'new'],
        ['10.0.0.2:5000', 'closed'],
      ],
    );
    for (let t = 4; t < 8; t++) applySample(m, { time: t, sockets: [sock('CLOSE_WAIT', 80, 5001)] });
    assert.deepEqual(
      listed(m).map((c) => [c.remote, markOf(m, c)]),
      [['10.0.0.2:5001', undefined]],
      'marks fade, closed ones go',
    );
    assert.deepEqual(tops(m).ports, [['80', 1]]);
    assert.deepEqual(tops(m).processes, [['app[42]', 1]]);
  });

  it('lists the first rows of each sort as a full sort would, texts made only for them', () => {
    const m = createModel('ESTABLISHED');
    const table = (seed: number) =>
      Array.from({ length: 400 }, (_, i) => {
        const s = sock(
          i % 7 === seed % 7 ? 'CLOSE_WAIT' : 'ESTABLISHED',
          80 + (i % 13),
          5000 + i,
          `p${i % 5}`,
        );
        s.recvQ = (i * 37) % 11;
        s.remote.address = `10.0.${i % 3}.${(i * 7) % 250}`;
        return s;
      });
    for (let r = 0; r < 4; r++) applySample(m, { time: r, sockets: table(r).slice(r * 10) });
    for (const sort of ['new', 'local', 'peer', 'process', 'queue'] as const) {
      m.sort = sort;
      const all = listed(m);
      const first = listing(m, 12);
      assert.equal(first.total, all.length);
      assert.deepEqual(
        first.rows.map((c) => c.id),
        all.slice(0, 12).map((c) => c.id),
        sort,
      );
    }
    const described = m.views.filter((c) => c.local !== '').length;
    m.sort = 'new';
    const fresh = createModel('ESTABLISHED');
    applySample(fresh, { time: 0, sockets: table(0) });
    listing(fresh, 5);
    assert.equal(fresh.views.filter((c) => c.local !== '').length, 5);
    assert.ok(described > 5);
  });

  it('moves the selection round the states and draws sparklines to their own scale', () => {
    const m = createModel('CLOSING');
    moveSelection(m, 1);
    assert.equal(m.selected, 'ESTABLISHED');
    moveSelection(m, -1);
    assert.equal(m.selected, 'CLOSING');
    assert.equal(sparkline([0, 1, 2, 4, 8], 5), '▁▁▂▄█');
    assert.equal(sparkline([0, 0], 5), '▁▁');
    assert.equal(sparkline([1, 2, 3], 2), '▆█');
  });
});

describe('watch screen', () => {
  it('fills exactly rows × cols at 80x24, wide names cut by their width', () => {
    const m = createModel('ESTABLISHED');
    const many = Array.from({ length: 50 }, (_, i) =>
      sock('ESTABLISHED', 80, 6000 + i, '名前がとても長いプロセス'),
    );
    applySample(m, { time: Date.UTC(2026, 0, 1), sockets: many, rates: { TcpActiveOpens: 12.5 } });
    const lines = renderScreen(m, { rows: 24, cols: 80, colour: false, where: 'host', intervalMs: 1000 });
    assert.equal(lines.length, 24);
    for (const l of lines) assert.equal(textWidth(l), 80, l);
    assert.ok(lines.some((l) => /^> ESTABLISHED\s+50\s/.test(l)));
    assert.ok(lines.some((l) => l.includes('more')));
    assert.ok(lines.some((l) => l.includes('active 13')));
    assert.equal(fit('名前', 3), '名 ');
  });

  it('prints plain blocks with the changes', () => {
    const m = createModel();
    applySample(m, { time: 0, sockets: [sock('LISTEN', 80, 0)] });
    applySample(m, { time: 1000, sockets: [sock('LISTEN', 80, 0), sock('ESTABLISHED', 80, 1)] });
    assert.match(renderPlain(m, 'host'), /^ESTABLISHED\s+1 \+1$/m);
  });
});

describe('watch keys and filter line', () => {
  it('decodes arrows, Enter, Escape, Backspace, Ctrl-C and Ctrl-U, and skips other sequences', () => {
    assert.deepEqual(
      decodeKeys('j\x1b[A\x1b[B\r\x7f\x03\x15\x1b[5~q\x1b').map((k) => (k.kind === 'char' ? k.ch : k.kind)),
      ['j', 'up', 'down', 'enter', 'backspace', 'interrupt', 'clear', 'q', 'escape'],
    );
  });

  it('reads the ls filter flags on one line and refuses what it does not know', () => {
    assert.deepEqual(parseFilterLine('--port 8080 -s close-wait --dst=10.0.0.0/8 -4'), {
      port: '8080',
      state: 'close-wait',
      dst: '10.0.0.0/8',
      ipv4: true,
    });
    assert.deepEqual(parseFilterLine('   '), {});
    const line = '--state close-wait --port 8080 --dst 10.0.0.0/8 --ipv4';
    assert.equal(filterLine(parseFilterLine(line)), line, 'written back as read');
    assert.equal(filterLine({ state: 'listen', json: true } as never), '--state listen', 'only filters');
    assert.throws(() => parseFilterLine('--bogus'), /unknown filter '--bogus'/);
    assert.throws(() => parseFilterLine('--port'), /--port needs a value/);
  });
});
