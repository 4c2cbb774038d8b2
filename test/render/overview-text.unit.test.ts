import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { queuesText, renderOverviewText } from '../../src/render/overview-text.js';
import { buildOverview } from '../../src/snapshot/overview.js';
import type { Snapshot, Socket } from '../../src/tcp/socket.js';

const listener = (family: 4 | 6, address: string, recvQ: number, sendQ: number): Socket => ({
  state: 'LISTEN',
  family,
  local: { address, port: 80 },
  remote: { address: family === 4 ? '0.0.0.0' : '::', port: 0 },
  recvQ,
  sendQ,
  inode: family,
  uid: 0,
  owners: [{ pid: 7, fd: family, command: 'nginx', user: 'root' }],
});

const snap = (sockets: Socket[]): Snapshot => ({
  time: '2026-01-01T00:00:00.000Z',
  source: 'netlink',
  netns: { inode: 4026531833, host: true },
  sockets,
});

const plain = {
  bold: (t: string) => t,
  state: (_s: string, p: string) => p,
  severity: (_s: string, t: string) => t,
};

describe('the listening ports of the overview', () => {
  it('gives each listener its own queue, never their sum as one backlog', () => {
    const v = buildOverview(snap([listener(4, '0.0.0.0', 0, 511), listener(6, '::', 3, 511)]));
    assert.deepEqual(v.listening[0]!.listeners, [
      { address: '0.0.0.0', acceptQueue: 0, backlog: 511 },
      { address: '::', acceptQueue: 3, backlog: 511 },
    ]);
    assert.equal(queuesText(v.listening[0]!.listeners), '0/511 + 3/511');
    const text = renderOverviewText(v, [], { lang: 'en', columns: 80, paint: plain });
    assert.match(text, /^ +80 +all +0\.0\.0\.0 \[::\] +0\/511 \+ 3\/511 +nginx\[7\]$/m);
    assert.doesNotMatch(text, /1022/);
  });

  it('counts alike queues beyond four listeners (SO_REUSEPORT)', () => {
    const l = Array.from({ length: 6 }, (_, i) => ({
      address: '0.0.0.0',
      acceptQueue: i === 5 ? 2 : 0,
      backlog: 511,
    }));
    assert.equal(queuesText(l), '0/511 ×5 + 2/511');
  });

  it('names the host namespace and speaks the language asked', () => {
    const v = buildOverview(snap([listener(4, '0.0.0.0', 0, 511)]));
    assert.match(
      renderOverviewText(v, [], { lang: 'en', columns: 80, paint: plain }),
      /^1 TCP sockets in netns host /,
    );
    const zh = renderOverviewText(
      v,
      [{ rule: 'accept-queue', severity: 'critical', title: '全连接队列已满' }],
      {
        lang: 'zh',
        columns: 80,
        paint: plain,
      },
    );
    assert.match(zh, /^网络命名空间 host 中共 1 个 TCP 套接字/);
    assert.match(zh, /严重 accept-queue {2}全连接队列已满/);
    assert.doesNotMatch(zh, /Listening|STATE|Findings|CRITICAL|all /);
  });
});
