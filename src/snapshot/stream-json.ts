/**
 * `ls --json` straight from the kernel's replies: the JSON of `takeSnapshot` + `lsView`, byte
 * for byte, written as the dump comes in, without building socket records (kernel/netlink/
 * json-writer.ts). Only for what the kernel can filter on its own (states, family, ports, addresses)
 * and without owners, tcp_info or sorting; the caller takes the snapshot path otherwise.
 */
import { TcpscopeError } from '../errors.js';
import { dumpTcp, forEachDump, LITTLE_ENDIAN, runDump } from '../kernel/netlink/dump.js';
import { SocketJsonWriter } from '../kernel/netlink/json-writer.js';
import { ALL_STATES } from '../tcp/state-names.js';
import { stateCode } from '../tcp/states.js';
import { attributor } from './attribute.js';
import type { FilterSpec } from './filter.js';
import { kernelFilter } from './kernel-filter.js';
import { filterOptions } from './select.js';
import { wantsNetlink, withDiagSocket } from './source.js';
import { type SnapshotOptions, tableRequest, targetOf } from './take.js';

const LISTEN_BIT = 1 << stateCode('LISTEN');
const STREAM_INTERRUPTED_WARNING =
  'the table changed while the kernel dumped it (NLM_F_DUMP_INTR): a socket may be missing or listed twice';
const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');

/** Whether a filter can be streamed: the kernel applies all of it (states, family, ports, addresses). */
export function streamable(spec: FilterSpec): boolean {
  const k = kernelFilter(spec);
  return k ? k.exact : Object.keys(spec).every((key) => key === 'states' || key === 'family');
}

/**
 * Writes the snapshot's JSON to `out` in chunks. Undefined when it could not start (netlink not
 * chosen, or unavailable under `auto`): nothing was written, take the snapshot path.
 */
export async function streamSocketsJson(
  opts: SnapshotOptions,
  spec: FilterSpec,
  out: (chunk: Uint8Array) => void,
): Promise<{ warnings: string[] } | undefined> {
  const o = filterOptions(opts, spec);
  const req = tableRequest(o, o.stateMask ?? ALL_STATES);
  if (!wantsNetlink(req)) return undefined;
  const target = targetOf(o, req.procRoot);
  const time = (opts.now ?? (() => new Date()))().toISOString();
  let started = false;
  try {
    return await withDiagSocket(target, async (sock) => {
      const listening = await dumpTcp(sock, {
        states: LISTEN_BIT,
        ...(req.families ? { families: req.families } : {}),
      });
      const head = `{"time":"${time}","source":"netlink"${target.netns ? `,"netns":${JSON.stringify(target.netns)}` : ''},"sockets":[`;
      const writer = new SocketJsonWriter({
        littleEndian: LITTLE_ENDIAN,
        attribution: attributor(listening.sockets),
        out: (chunk) => {
          if (!started) out(ascii(head));
          started = true;
          out(chunk);
        },
      });
      const dump = { states: req.states, ...(req.filter ? { filter: req.filter } : {}) };
      const statuses = await forEachDump(req.families, async (family, status) => {
        writer.startDump(status);
        await runDump(sock, family, dump, status, (d) => writer.feed(d));
      });
      writer.flush();
      const malformed = statuses.reduce((n, st) => n + st.malformed, 0);
      const firstError = statuses.find((st) => st.firstError !== undefined)?.firstError;
      // What was written cannot be dumped again: an inconsistent dump is said, not retried.
      const interrupted = statuses.some((st) => st.interrupted);
      const tail = `${malformed > 0 ? `,"malformed":${malformed}` : ''}${interrupted ? ',"interrupted":true' : ''}`;
      out(ascii(`${started ? '' : head}]${tail}}\n`));
      started = true;
      const warnings =
        firstError === undefined
          ? []
          : [`${malformed} malformed netlink message(s) skipped, the first: ${firstError}`];
      if (interrupted) warnings.push(STREAM_INTERRUPTED_WARNING);
      return { warnings };
    });
  } catch (e) {
    if (!started && req.source === 'auto' && e instanceof TcpscopeError) return undefined;
    throw e;
  }
}
