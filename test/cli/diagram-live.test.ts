import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tcpscope, tcpscopeJson } from '../helpers/cli.js';
import { holdInNetns } from '../helpers/netns.js';

interface DiagramJson {
  states: { state: string; count?: number }[];
}

/** The non-zero counts a `diagram --json` carries. */
function diagramCounts(args: string[]): Record<string, number> {
  const d = tcpscopeJson<DiagramJson>(['diagram', '--counts', 'live', ...args]);
  return Object.fromEntries(d.states.filter((s) => (s.count ?? 0) > 0).map((s) => [s.state, s.count!]));
}

describe('diagram --counts live', () => {
  const held = holdInNetns(['states']);

  it('counts the namespace that --netns, --netns-pid and --source name, as count does', () => {
    const { states } = tcpscopeJson<{ states: Record<string, number> }>(['count', '--netns', held.ns.name]);
    // CLOSE is not on the diagram's paths; every state the namespace holds here is.
    assert.ok(Object.keys(states).length >= 4, JSON.stringify(states));
    assert.deepEqual(diagramCounts(['--netns', held.ns.name]), states);
    assert.deepEqual(diagramCounts(['--netns-pid', String(held.holder.pid)]), states);
    assert.deepEqual(diagramCounts(['--netns', held.ns.name, '--source', 'procfs']), states);
    assert.deepEqual(diagramCounts(['--netns', held.ns.name, '--source', 'netlink']), states);
  });

  it('refuses the table options without --counts live', () => {
    for (const args of [
      ['diagram', '--netns', held.ns.name],
      ['diagram', '--counts', 'saved.json', '--source', 'procfs'],
      ['--netns', held.ns.name, 'diagram'],
    ]) {
      const r = tcpscope(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /only with --counts live/, args.join(' '));
    }
  });
});
