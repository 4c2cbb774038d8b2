/**
 * The overview in one language at a time, on a namespace with a real finding (a listener whose
 * accept queue is full): with LANG=zh_CN.UTF-8 every header, sentence, hint and finding is Chinese;
 * with --lang en all of it is English. And the host namespace is called host.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TCP_STATES } from '../../src/tcp/states.js';
import { tcpscope } from '../helpers/cli.js';
import { commOf } from '../helpers/comm.js';
import { type Holder, makeNetns, startHolder, type TestNetns } from '../helpers/netns.js';

/** Words that stay as they are in Chinese text: identifiers users type, and kernel terms. */
const KEPT = new Set<string>([
  ...TCP_STATES,
  'TCP',
  'tcpscope',
  'doctor',
  'netns',
  'netns-pid',
  'accept',
  'backlog',
  'node',
  'root',
]);

describe('the overview speaks one language', { timeout: 60_000 }, () => {
  let ns: TestNetns;
  let holder: Holder | undefined;
  let rules: string[] = [];

  before(async () => {
    ns = makeNetns();
    holder = await startHolder(ns, ['fullqueue']);
    const j = JSON.parse(tcpscope(['--json'], { netns: ns.name }).stdout) as {
      findings: { rule: string }[];
      findingsSkipped?: { rule: string }[];
    };
    // Rule names are identifiers, in every language (as are the rules one snapshot cannot judge).
    rules = [...j.findings, ...(j.findingsSkipped ?? [])].map((f) => f.rule);
  });
  after(() => {
    holder?.stop();
    ns?.delete();
  });

  it('is all Chinese with LANG=zh_CN.UTF-8', () => {
    assert.ok(rules.includes('accept-queue'), `findings: ${rules.join(', ')}`);
    const r = tcpscope([], {
      netns: ns.name,
      env: { LANG: 'zh_CN.UTF-8', LC_ALL: undefined, LC_MESSAGES: undefined },
    });
    assert.equal(r.status, 0, r.stderr);
    for (const zh of ['状态', '监听端口', '分布', '诊断', '全连接队列'])
      assert.ok(r.stdout.includes(zh), `${zh}:\n${r.stdout}`);
    // The holder's command is what the kernel shows (`node`, or `MainThread` on Node 24).
    const kept = new Set([...KEPT, ...rules, ...(holder ? [commOf(holder.pid)] : [])]);
    const english = (r.stdout.replaceAll(ns.name, '').match(/[A-Za-z][A-Za-z_-]{2,}/g) ?? []).filter(
      (w) => !kept.has(w),
    );
    assert.deepEqual(english, [], r.stdout);
  });

  it('is all English with --lang en, whatever the locale', () => {
    const r = tcpscope(['--lang', 'en'], { netns: ns.name, env: { LANG: 'zh_CN.UTF-8', LC_ALL: undefined } });
    assert.equal(r.status, 0, r.stderr);
    for (const en of ['STATE', 'Listening', 'Where they are', 'Findings (tcpscope doctor)', 'CRITICAL'])
      assert.ok(r.stdout.includes(en), `${en}:\n${r.stdout}`);
    assert.doesNotMatch(r.stdout, /[\u3000-\u9fff\uff00-\uffef]/u);
  });

  it('calls the host namespace host', () => {
    const j = JSON.parse(tcpscope(['--json']).stdout) as { netns?: { inode: number; host?: boolean } };
    assert.equal(j.netns?.host, true);
    assert.match(tcpscope(['--lang', 'en']).stdout, /^\d+ TCP sockets in netns host /);
    assert.match(tcpscope(['--lang', 'zh']).stdout, /^网络命名空间 host 中共 \d+ 个 TCP 套接字/);
    const ls = tcpscope(['ls', '--all-netns', '-s', 'listen']);
    assert.doesNotMatch(ls.stdout, new RegExp(`^${j.netns!.inode} `, 'm'));
  });
});
