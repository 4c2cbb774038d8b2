import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SsSocket } from '../../src/lab/ss.js';
import { clip, factLines, renderSummary, summarizeSockets } from '../../src/render/lab-text.js';

const a = { address: '127.0.0.1', port: 8080 };
const b = { address: '127.3.0.1', port: 40001 };

describe('lab text', () => {
  it('sums the table up by state (kernel order) and owner', () => {
    const row = (state: SsSocket['state'], pid?: number): SsSocket => ({
      state,
      family: 4,
      local: a,
      remote: b,
      recvQ: 0,
      sendQ: 0,
      owners: pid ? [{ command: 'node', pid, fd: 3 }] : [],
    });
    const sum = summarizeSockets([
      row('CLOSE_WAIT', 7),
      row('LISTEN', 7),
      row('CLOSE_WAIT', 7),
      row('FIN_WAIT2'),
    ]);
    assert.deepEqual(sum, [
      { state: 'FIN_WAIT2', owner: 'no owner', count: 1 },
      { state: 'CLOSE_WAIT', owner: 'node[7]', count: 2 },
      { state: 'LISTEN', owner: 'node[7]', count: 1 },
    ]);
    assert.equal(
      renderSummary(sum),
      '  FIN_WAIT2   1  no owner\n  CLOSE_WAIT  2  held by node[7]\n  LISTEN      1  held by node[7]\n',
    );
    assert.equal(renderSummary([]), '  (no sockets)\n');
  });

  it('says what the holder saw', () => {
    const base = { family: 4 as const, sockets: [] };
    assert.deepEqual(
      factLines({
        ...base,
        kind: 'restart',
        port: 9502,
        facts: {
          reuseaddr: false,
          bindWithoutReuseaddr: 'EADDRINUSE',
          bindWithReuseaddr: 'EADDRINUSE',
          restarted: false,
        },
      }),
      [
        'port 9502 (server without SO_REUSEADDR): bind() after the restart: EADDRINUSE; with SO_REUSEADDR on the new socket only: EADDRINUSE',
      ],
    );
    assert.match(
      factLines({
        ...base,
        kind: 'syn-flood',
        port: 80,
        facts: { backlog: 128, requests: 129, cookies: 71 },
      })[0]!,
      /129 request sockets kept, 71 SYNs answered with SYN cookies/,
    );
    assert.deepEqual(factLines({ ...base, kind: 'listen', port: 1 }), []);
  });

  it('clips long outputs and says how much was left out', () => {
    assert.equal(clip('a\nb\nc\n', 2), 'a\nb\n… 1 more lines\n');
    assert.equal(clip('a\nb\n', 2), 'a\nb\n');
  });
});
