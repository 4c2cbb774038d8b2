import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findScenario, LAB_SCENARIOS, labSteps, planPorts } from '../../src/lab/catalog.js';
import {
  nftRuleset,
  parseHolderSpec,
  peerAddress,
  rulesFor,
  SITUATION_KINDS,
  STATE_KINDS,
} from '../../src/lab/scenario.js';
import { planScenario } from '../../src/lab/start.js';
import { parseLabName } from '../../src/lab/state.js';

/** Every TCP state and every situation `lab list` offers. */
const STATES = [
  'listen',
  'syn-sent',
  'syn-recv',
  'established',
  'fin-wait-1',
  'fin-wait-2',
  'close-wait',
  'closing',
  'last-ack',
  'time-wait',
];
const SITUATIONS = [
  'syn-flood',
  'scan',
  'close-wait-leak',
  'half-open',
  'server-shutdown',
  'vanished-load-client',
  'restart-eaddrinuse',
  'accept-queue-overflow',
  'unexpected-listener',
];

describe('the lab catalog', () => {
  it('has every state and every situation, once each, with its texts', () => {
    const ids = LAB_SCENARIOS.map((s) => s.id);
    assert.deepEqual([...ids].sort(), [...STATES, ...SITUATIONS].sort());
    for (const s of LAB_SCENARIOS) {
      assert.ok(s.title && s.shows && s.reality.length > 0, s.id);
      assert.equal(s.group, STATES.includes(s.id) ? 'state' : 'situation', s.id);
      if (s.group === 'situation')
        assert.ok(s.rules.length > 0, `${s.id} names the doctor rules it should fire`);
    }
    assert.equal(findScenario('nope'), undefined);
  });

  it('makes valid holder specs at the default, the smallest and the largest count', () => {
    const used = new Set<string>();
    for (const s of LAB_SCENARIOS) {
      for (const count of [s.count.default, 1, s.count.max]) {
        const plan = s.plan(count, s.port);
        for (const p of plan.processes) {
          const spec = parseHolderSpec({ items: p.items });
          for (const it of spec.items) used.add(it.kind);
        }
        const ports = planPorts(plan);
        assert.equal(new Set(ports).size, ports.length, `${s.id}: one port per item`);
        assert.ok(
          ports.every((p) => p > 0 && p < 40000),
          `${s.id}: ports below the lab's ephemeral range`,
        );
        assert.ok(plan.processes[plan.culprit.process], `${s.id}: the culprit is one of its processes`);
        assert.ok(ports.includes(plan.culprit.port), `${s.id}: the culprit port is one of its ports`);
      }
    }
    for (const k of [...STATE_KINDS, ...SITUATION_KINDS]) assert.ok(used.has(k), `kind ${k} is used`);
  });

  it('checks id, count and port before anything needs root', () => {
    assert.throws(() => planScenario('nope'), /^UsageError: lab: unknown scenario 'nope': listen, /);
    assert.throws(() => planScenario('syn-flood', { count: 0 }), /--count must be 1 to 500 \(SYNs/);
    assert.throws(() => planScenario('scan', { count: 501 }), /--count must be 1 to 500/);
    assert.throws(
      () => planScenario('listen', { port: 39950, count: 1 }),
      /ports must stay within 1\.\.39999/,
    );
    const p = planScenario('vanished-load-client', { count: 3, port: 7000 });
    assert.deepEqual(planPorts(p.plan), [7000, 7001]);
    assert.equal(p.count, 3);
  });

  it('shows a scenario with count, its own commands, ls -p, who and the doctor, in its namespace', () => {
    const s = findScenario('syn-flood')!;
    const steps = labSteps(s, 'tcpscope-lab-x-1-0', 80).map((st) => st.argv.join(' '));
    assert.equal(steps[0], 'count --netns tcpscope-lab-x-1-0');
    assert.ok(steps.includes('ls --netns tcpscope-lab-x-1-0 -p --port 80'));
    assert.ok(steps.includes('who 80 --netns tcpscope-lab-x-1-0'));
    assert.equal(steps.at(-1), 'doctor --now --netns tcpscope-lab-x-1-0');
    assert.ok(steps.some((x) => x.startsWith('counters --netns tcpscope-lab-x-1-0 --no-update')));
    for (const sc of LAB_SCENARIOS) {
      for (const st of labSteps(sc, 'NS', 1)) assert.ok(!st.argv.join(' ').includes('{'), sc.id);
    }
  });
});

describe('situation rules and peers', () => {
  it('scopes each rule to the kind’s peers and port', () => {
    assert.deepEqual(rulesFor({ kind: 'syn-flood', family: 4, port: 80 }), [
      'ip saddr 127.1.0.0/16 tcp dport 80 tcp flags & syn != syn drop',
    ]);
    assert.deepEqual(rulesFor({ kind: 'scan', family: 4, port: 135 }), [
      'ip daddr 127.2.0.0/16 tcp dport 135 drop',
    ]);
    assert.deepEqual(rulesFor({ kind: 'close-wait-leak', family: 4, port: 1 }), []);
    assert.match(
      nftRuleset({ items: [{ kind: 'vanished-client', family: 4, port: 8000 }] }),
      /iif "lo" ip daddr 127\.5\.0\.0\/16 tcp sport 8000 tcp flags & fin == fin drop comment "vanished-client 4 8000"/,
    );
  });

  it('gives floods one address per connection and the others a few shared ones', () => {
    const flood = Array.from({ length: 500 }, (_, i) => peerAddress('syn-flood', i));
    assert.equal(new Set(flood).size, 500);
    assert.equal(flood[0], '127.1.0.1');
    assert.equal(flood[250], '127.1.1.1');
    assert.equal(new Set(Array.from({ length: 20 }, (_, i) => peerAddress('close-wait-leak', i))).size, 4);
  });

  it('refuses situations over IPv6 and options on the wrong kind', () => {
    assert.throws(
      () => parseHolderSpec({ items: [{ kind: 'scan', family: 6, port: 1 }] }),
      /scan is IPv4 only/,
    );
    assert.throws(
      () => parseHolderSpec({ items: [{ kind: 'listen', family: 4, port: 1, count: 2 }] }),
      /count is not for listen/,
    );
    assert.throws(
      () => parseHolderSpec({ items: [{ kind: 'scan', family: 4, port: 1, count: 501 }] }),
      /count must be 1 to 500/,
    );
    assert.throws(
      () => parseHolderSpec({ items: [{ kind: 'listen', family: 4, port: 1, reuseaddr: true }] }),
      /reuseaddr is for restart only/,
    );
    assert.throws(
      () => parseHolderSpec({ items: [{ kind: 'listen', family: 4, port: 1, wildcard: 1 }] }),
      /wildcard must be true or false/,
    );
  });
});

describe('lab namespace names', () => {
  it('carry the scenario and the maker pid', () => {
    assert.deepEqual(parseLabName('tcpscope-lab-close-wait-leak-1234-0'), {
      scenario: 'close-wait-leak',
      pid: 1234,
    });
    assert.equal(parseLabName('tcps-test-1-0'), undefined);
  });
});
