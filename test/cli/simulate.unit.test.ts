/** `tcpscope simulate`: the list, a run as text, JSON and SVG, printing and running scripts, errors. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SCENARIO_IDS } from '../../src/sim/index.js';
import { tcpscope } from './_run.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpscope-simulate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tcpscope simulate', () => {
  it('lists the built-in scenarios, as a table and as JSON', async () => {
    const r = await tcpscope(['simulate', '--list']);
    assert.equal(r.out.trim().split('\n').length, SCENARIO_IDS.length);
    assert.match(r.out, /^simultaneous-close\s+Simultaneous close$/m);
    const j = JSON.parse((await tcpscope(['simulate', '--list', '--json'])).out);
    assert.deepEqual(
      j.scenarios.map((s: { id: string }) => s.id),
      SCENARIO_IDS,
    );
  });

  it('teaches CLOSING: simultaneous-close as a ladder and as JSON', async () => {
    const text = (await tcpscope(['simulate', 'simultaneous-close'])).out;
    assert.match(text, /That is CLOSING/);
    assert.match(text, /CLOSING\s+<-- <SEQ=301><ACK=101><CTL=FIN,ACK>/);
    const json = JSON.parse((await tcpscope(['simulate', 'simultaneous-close', '--json'])).out);
    assert.deepEqual(json.final, { client: 'CLOSE', server: 'CLOSE' });
    const states = json.steps.map((s: { client: { state: string } }) => s.client.state);
    assert.ok(states.includes('CLOSING') && states.includes('TIME_WAIT'));
    assert.ok(json.steps.every((s: { timeMs: number }) => Number.isInteger(s.timeMs)));
  });

  it('writes the ladder as SVG, colours only on a terminal, leaves out the reasons on request', async () => {
    const file = join(dir, 'ladder.svg');
    const r = await tcpscope(['simulate', 'lost-final-ack', '-o', file]);
    assert.match(r.err, /wrote .*ladder\.svg \(svg, 24 steps\)/);
    assert.ok(readFileSync(file, 'utf8').startsWith('<svg'));
    assert.match((await tcpscope(['simulate', 'refused'], true)).out, /\x1b\[/);
    assert.ok(!(await tcpscope(['simulate', 'refused'])).out.includes('\x1b['));
    assert.ok(
      !(await tcpscope(['simulate', 'refused', '--no-why'])).out.includes('RST acknowledging our SYN'),
    );
  });

  it('prints a scenario script that runs the same with --script', async () => {
    const script = (await tcpscope(['simulate', 'half-close', '--print'])).out;
    assert.match(script, /at 110ms client shutdown/);
    const file = join(dir, 'mine.tcp');
    writeFileSync(file, script);
    const a = JSON.parse((await tcpscope(['simulate', 'half-close', '--json'])).out);
    const b = JSON.parse((await tcpscope(['simulate', '--script', file, '--json'])).out);
    assert.deepEqual(b.steps, a.steps);
  });

  it('says what is wrong in one line and exits 2', async () => {
    const bad = join(dir, 'bad.tcp');
    writeFileSync(bad, 'at 0 server listen\nat 5ms client conect\n');
    const cases: [string[], RegExp][] = [
      [['simulate', 'nope'], /unknown scenario 'nope': valid are three-way-handshake/],
      [['simulate'], /name a scenario .* or use --list/],
      [['simulate', '--script', bad], /bad\.tcp line 2: unknown call 'conect'/],
      [['simulate', '--script', join(dir, 'none.tcp')], /none\.tcp: not found/],
      [['simulate', 'refused', '--format', 'pdf'], /--format 'pdf'/],
    ];
    for (const [args, re] of cases) {
      const r = await tcpscope(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, re);
    }
  });
});
