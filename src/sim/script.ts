/**
 * The scenario language: one statement a line, `# ` starts a comment. The built-in scenarios are
 * written in it (`tcpscope simulate ID --print`), and so are users' own (`simulate --script FILE`).
 *
 *   title Simultaneous close            about One or more lines saying what it teaches
 *   set latency 10ms                    set until 70s          set client.iss 100
 *   set server.backlog 2                set server.syncookies off      set client.read manual
 *   set client.synRetries 2             (any Limits field: synackRetries, retries2, finTimeoutMs...)
 *   at 0 server listen                  at 0 client connect    at 50ms client send 100
 *   at 1s client close                  (calls: listen connect send N read close shutdown abort)
 *   lose client ACK #2                  delay client SYN 30ms  duplicate server FIN 5ms
 *   reorder client DATA                 (rules select the Nth segment after `at`, default the first)
 *   at 10ms inject server SYN seq=90 [ack=N] [len=N] [from HOST:PORT]
 *   at 1s crash server                  at 3s restart server   at 2s note Some text
 */
import { ParseError } from '../errors.js';
import { type Call, LINUX_LIMITS, type Limits, parseFlagsText, type Segment } from '../tcp/index.js';
import type { Action, EndSettings, Match, Rule, Scenario, Settings, Side } from './types.js';

const CALLS: readonly Call[] = ['listen', 'connect', 'send', 'read', 'close', 'shutdown', 'abort'];
const SPECS = ['SYN', 'SYN+ACK', 'ACK', 'FIN', 'FIN+ACK', 'RST', 'RST+ACK', 'DATA'];

/** Defaults: the client 10.0.0.1:40000 with ISS 100, the server :80 with ISS 300, as in RFC 9293's figures. */
export function defaultSettings(): Settings {
  const end = (label: string, port: number, iss: number): EndSettings => ({
    label,
    port,
    iss,
    read: 'auto',
    backlog: 128,
    syncookies: true,
    limits: {},
  });
  return {
    latencyMs: 10,
    untilMs: 600_000,
    client: end('client', 40000, 100),
    server: end('server', 80, 300),
  };
}

/** Parses a script; `id` names it in messages and results. */
export function parseScript(text: string, id: string): Scenario {
  const settings = defaultSettings();
  const actions: Action[] = [];
  let title = id;
  const about: string[] = [];
  text.split('\n').forEach((raw, i) => {
    // `#` then a space (or the line's end) starts a comment; `#2` is a rule's count.
    const line = raw.replace(/(^|\s)#(\s.*)?$/, '').trim();
    if (line === '') return;
    const where = `${id} line ${i + 1}`;
    const words = line.split(/\s+/);
    const head = words[0]!;
    if (head === 'title') title = line.slice(5).trim();
    else if (head === 'about') about.push(line.slice(5).trim());
    else if (head === 'set') applySet(settings, words.slice(1), where);
    else actions.push(parseAction(words, where));
  });
  return { id, title, about: about.join(' '), settings, actions };
}

function fail(where: string, why: string): never {
  throw new ParseError(`${where}: ${why}`);
}

/** `250`, `250ms`, `1.5s`, `2m` to milliseconds. */
export function parseDuration(word: string, where: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(word);
  if (!m) fail(where, `'${word}' is no duration (like 250ms, 1.5s, 2m)`);
  const scale = m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1;
  return Math.round(Number(m[1]) * scale);
}

function parseSide(word: string | undefined, where: string): Side {
  if (word === 'client' || word === 'server') return word;
  return fail(where, `'${word ?? ''}' is no side (client or server)`);
}

function applySet(s: Settings, words: string[], where: string): void {
  const [key, value] = words;
  if (key === undefined || value === undefined) fail(where, 'set needs a name and a value');
  if (key === 'latency') s.latencyMs = parseDuration(value, where);
  else if (key === 'until') s.untilMs = parseDuration(value, where);
  else {
    const [sideWord, field] = key.split('.');
    const end = s[parseSide(sideWord, where)];
    setEnd(end, field ?? '', value, where);
  }
}

function setEnd(end: EndSettings, field: string, value: string, where: string): void {
  const num = () => {
    const n = Number(value.replace(/ms$/, ''));
    if (!Number.isInteger(n) || n < 0) fail(where, `${field} needs a whole number, not '${value}'`);
    return n;
  };
  const bool = () => (value === 'on' ? true : value === 'off' ? false : fail(where, `${field} is on or off`));
  if (field === 'label') end.label = value;
  else if (field === 'port') end.port = num();
  else if (field === 'iss') end.iss = num();
  else if (field === 'backlog') end.backlog = num();
  else if (field === 'syncookies') end.syncookies = bool();
  else if (field === 'read') {
    if (value !== 'auto' && value !== 'manual') fail(where, 'read is auto or manual');
    end.read = value;
  } else if (field in LINUX_LIMITS) {
    end.limits = {
      ...end.limits,
      [field as keyof Limits]: field.endsWith('Ms') ? parseDuration(value, where) : num(),
    };
  } else {
    const valid = ['label', 'port', 'iss', 'backlog', 'syncookies', 'read', ...Object.keys(LINUX_LIMITS)];
    fail(where, `unknown setting '${field}' (valid: ${valid.join(', ')})`);
  }
}

function parseAction(words: string[], where: string): Action {
  let at = 0;
  if (words[0] === 'at') {
    at = parseDuration(words[1] ?? '', where);
    words = words.slice(2);
  }
  const head = words[0];
  if (head === 'lose' || head === 'delay' || head === 'duplicate' || head === 'reorder') {
    return { kind: 'rule', at, rule: parseRule(head, words.slice(1), where) };
  }
  if (head === 'inject') return parseInject(at, words.slice(1), where);
  if (head === 'note') return { kind: 'note', at, text: words.slice(1).join(' ') };
  if (head === 'crash' || head === 'restart') return { kind: head, at, side: parseSide(words[1], where) };
  const side = parseSide(head, where);
  const call = words[1] as Call;
  if (!CALLS.includes(call)) fail(where, `unknown call '${words[1] ?? ''}' (valid: ${CALLS.join(', ')})`);
  if (call !== 'send') return { kind: 'call', at, side, call };
  const bytes = Number(words[2] ?? '100');
  if (!Number.isInteger(bytes) || bytes <= 0) fail(where, `send needs a byte count, not '${words[2]}'`);
  return { kind: 'call', at, side, call, bytes };
}

function parseRule(kind: Rule['kind'], words: string[], where: string): Rule {
  const side = parseSide(words[0], where);
  const spec = (words[1] ?? '').toUpperCase();
  if (!SPECS.includes(spec))
    fail(where, `'${words[1] ?? ''}' selects no segment (valid: ${SPECS.join(', ')})`);
  let rest = words.slice(2);
  let nth = 1;
  if (rest[0]?.startsWith('#')) {
    nth = Number(rest[0].slice(1));
    if (!Number.isInteger(nth) || nth < 1) fail(where, `'${rest[0]}' is no count (#1, #2...)`);
    rest = rest.slice(1);
  }
  const match: Match = { side, spec, nth };
  if (kind === 'lose' || kind === 'reorder') return { kind, match };
  const ms = rest[0] === undefined ? 5 : parseDuration(rest[0], where);
  if (kind === 'delay' && rest[0] === undefined) fail(where, 'delay needs a duration');
  return { kind, match, ms };
}

function parseInject(at: number, words: string[], where: string): Action {
  const to = parseSide(words[0], where);
  const flags = parseFlagsText(words[1] ?? '');
  if (flags === undefined || flags === 0)
    fail(where, `'${words[1] ?? ''}' are no control bits (like SYN or RST+ACK)`);
  const kv = new Map<string, string>();
  for (const w of words.slice(2)) {
    const [k, v] = w.split('=');
    if (k === 'from' && v === undefined) continue;
    kv.set(k ?? '', v ?? '');
  }
  const fromIdx = words.indexOf('from');
  const fromText = fromIdx >= 0 ? words[fromIdx + 1] : kv.get('from');
  const n = (k: string) => {
    const v = kv.get(k);
    if (v === undefined) return 0;
    const x = Number(v);
    if (!Number.isInteger(x) || x < 0) fail(where, `${k} needs a whole number, not '${v}'`);
    return x >>> 0;
  };
  const segment: Segment = { seq: n('seq'), ack: n('ack'), flags, len: n('len') };
  let from: { host: string; port: number } | undefined;
  if (fromText !== undefined) {
    const m = /^([\w.:-]+?):(\d+)$/.exec(fromText);
    if (!m) fail(where, `from '${fromText}' is no HOST:PORT`);
    from = { host: m[1]!, port: Number(m[2]) };
  }
  return { kind: 'inject', at, to, from, segment };
}
