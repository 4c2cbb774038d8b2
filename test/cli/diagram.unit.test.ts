/** `tcpscope diagram`: formats, files, counts from saved JSON, errors as one line and exit 2. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tcpscope } from './_run.js';

const dir = mkdtempSync(join(tmpdir(), 'tcpscope-diagram-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('tcpscope diagram', () => {
  it('writes SVG to a pipe and coloured text to a terminal', async () => {
    const pipe = await tcpscope(['diagram']);
    assert.equal(pipe.code, 0);
    assert.ok(pipe.out.startsWith('<svg') && pipe.out.trimEnd().endsWith('</svg>'));
    const tty = await tcpscope(['diagram'], true);
    assert.match(tty.out, /\x1b\[34m.*━/, 'the client path in blue');
    assert.match(tty.out, /ESTABLISHED/);
  });

  it('takes the format from --format or from the file extension', async () => {
    assert.match((await tcpscope(['diagram', '--format', 'mermaid'])).out, /^flowchart TD/);
    assert.match((await tcpscope(['diagram', '-f', 'dot'])).out, /^digraph tcp_states/);
    assert.match((await tcpscope(['diagram', '-f', 'text'])).out, /┌─────────────┐/);
    for (const [name, re] of [
      ['tcp.svg', /^<svg/],
      ['tcp.mmd', /^flowchart/],
      ['tcp.dot', /^digraph/],
      ['tcp.txt', /TCP state transition diagram/],
    ] as const) {
      const file = join(dir, name);
      const r = await tcpscope(['diagram', '-o', file]);
      assert.equal(r.out, '');
      assert.match(r.err, new RegExp(`wrote .*${name}`));
      assert.match(readFileSync(file, 'utf8'), re);
      assert.ok(!readFileSync(file, 'utf8').includes('\x1b['), 'no colour in files');
    }
  });

  it('overlays counts from a saved ls --json or count --json', async () => {
    const ls = join(dir, 'ls.json');
    writeFileSync(
      ls,
      JSON.stringify({ sockets: [{ state: 'TIME_WAIT' }, { state: 'TIME_WAIT' }, { state: 'LISTEN' }] }),
    );
    const svg = (await tcpscope(['diagram', '--counts', ls, '--highlight', 'time-wait'])).out;
    assert.match(svg, /<g class="st hl" data-state="TIME_WAIT">.*?>2</);
    const count = join(dir, 'count.json');
    writeFileSync(count, JSON.stringify({ total: 9, states: { ESTABLISHED: 9 } }));
    const json = JSON.parse(
      (await tcpscope(['diagram', '--counts', count, '--json', '--path', 'server'])).out,
    );
    assert.equal(json.path, 'server');
    assert.deepEqual(
      json.states.find((s: { state: string }) => s.state === 'ESTABLISHED'),
      { state: 'ESTABLISHED', count: 9 },
    );
    assert.ok(json.transitions.every((t: { path: string }) => t.path === 'server'));
  });

  it('says what is wrong in one line and exits 2', async () => {
    const cases: [string[], RegExp][] = [
      [['diagram', '--highlight', 'nope'], /unknown state 'nope'/],
      [['diagram', '--path', 'left'], /--path 'left': valid are client, server, both, all/],
      [['diagram', '--format', 'png'], /--format 'png'/],
      [['diagram', '--counts', join(dir, 'missing.json')], /missing\.json: not found/],
      [['diagram', '--lang', 'fr'], /unknown language 'fr'/],
    ];
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"sockets": [');
    cases.push([['diagram', '--counts', bad], /bad\.json: not valid JSON/]);
    for (const [args, re] of cases) {
      const r = await tcpscope(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, re);
      assert.equal(r.err.trim().split('\n').length, 1, 'one line');
    }
  });
});
