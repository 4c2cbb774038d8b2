import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { historyPath, loadHistory, saveHistory } from '../../src/stats/counter-history.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpscope-hist-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('counter history', () => {
  const h = {
    netns: 4026531840,
    bootId: 'boot-a',
    time: '2024-01-01T00:00:00.000Z',
    counters: { TcpActiveOpens: 5 },
  };

  it('keys the default file by namespace and boot, under CACHE/tcpscope', () => {
    assert.equal(historyPath('/c', 42, 'b'), '/c/tcpscope/counters-42-b.json');
  });

  it('round-trips, private to the user', () => {
    const p = historyPath(dir, h.netns, h.bootId);
    saveHistory(p, h);
    assert.deepEqual(loadHistory(p, h.netns, h.bootId), h);
    assert.equal(statSync(p).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'tcpscope')).mode & 0o777, 0o700);
  });

  it('ignores a file of another namespace or boot, or a damaged one', () => {
    const p = historyPath(dir, h.netns, h.bootId);
    assert.equal(loadHistory(p, 1, h.bootId), undefined);
    assert.equal(loadHistory(p, h.netns, 'boot-b'), undefined);
    assert.equal(loadHistory(join(dir, 'none.json'), h.netns, h.bootId), undefined);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"netns":');
    assert.equal(loadHistory(bad, h.netns, h.bootId), undefined);
  });

  it('removes the default files of earlier boots, and only those', () => {
    saveHistory(historyPath(dir, 7, 'boot-a'), { ...h, netns: 7 });
    saveHistory(historyPath(dir, 7, 'boot-b'), { ...h, netns: 7, bootId: 'boot-b' });
    const left = readdirSync(join(dir, 'tcpscope')).sort();
    assert.deepEqual(left, ['counters-7-boot-b.json']);
    const mine = join(dir, 'mine.json');
    writeFileSync(join(dir, 'counters-1-old.json'), '{}');
    saveHistory(mine, { ...h, bootId: 'boot-c' });
    assert.ok(existsSync(join(dir, 'counters-1-old.json')), 'a --history file cleans nothing');
  });
});
