/** `tcpscope` with no command: this machine's TCP state overview, answered at once. */
import type { Finding } from '../../doctor/types.js';
import { countOtherNetns } from '../../kernel/other-netns.js';
import { type OverviewPaint, renderOverviewText } from '../../render/overview-text.js';
import { buildOverview } from '../../snapshot/overview.js';
import { type SnapshotOptions, takeSnapshot } from '../../snapshot/take.js';
import type { Snapshot } from '../../tcp/socket.js';
import { langOf } from '../lang-option.js';
import { type Cli, paint } from '../output.js';
import { stateColour } from '../paint-state.js';
import { warnSnapshot } from '../snapshot-output.js';
import { parseIntFlag, type SourceFlags, sourceOptions } from '../socket-options.js';

interface OverviewFlags extends SourceFlags {
  lang?: string;
  json?: boolean;
  top: string;
}

/** Runs `tcpscope (the overview)`. */
export async function run(cli: Cli, flags: OverviewFlags): Promise<void> {
  const source = sourceOptions(flags);
  // The fd scan after the dump, not beside it: the overview's memory budget is the tighter one.
  const snap = await takeSnapshot({ ...source, owners: true, info: true, parallelOwners: false });
  warnSnapshot(cli, snap);
  const top = parseIntFlag('--top', flags.top, 1, 20);
  const overview = buildOverview(snap, top);
  overview.otherNetns = await countOtherNetns(source.procRoot ?? '/proc', snap.netns?.inode);
  // The doctor's snapshot rules (no sampling window): the overview answers at once.
  const lang = langOf(flags, cli);
  const { findings, skipped } = await snapshotFindings(snap, source, lang);
  if (flags.json)
    cli.o.out(`${JSON.stringify({ ...overview, findings, findingsSkipped: skipped })}
`);
  else
    cli.o.out(
      renderOverviewText(overview, findings, { lang, columns: cli.o.columns, paint: painter(cli), skipped }),
    );
}

/** The doctor's findings on this snapshot (loaded here: `ls` and `count` never evaluate the doctor). */
async function snapshotFindings(
  snap: Snapshot,
  source: SnapshotOptions,
  lang: 'en' | 'zh',
): Promise<{ findings: Finding[]; skipped: { rule: string; reason: string }[] }> {
  const [{ DOCTOR_DEFAULTS }, { diagnose }, { explainRule }, { inputFor }] = await Promise.all([
    import('../../doctor/config.js'),
    import('../../doctor/diagnose.js'),
    import('../../doctor/explain.js'),
    import('../../doctor/gather.js'),
  ]);
  const input = await inputFor(snap, { ...source, config: { ...DOCTOR_DEFAULTS }, lang });
  // One snapshot proves only so much: the rules that need sockets to stay or counters to rise are skipped.
  const d = diagnose(input, explainRule);
  return { findings: d.findings.filter((f) => f.severity !== 'info'), skipped: d.skipped };
}

/** Colours on a terminal, none elsewhere. */
function painter(cli: Cli): OverviewPaint {
  const colour = { critical: 'red', warning: 'yellow', info: 'cyan' } as const;
  return {
    bold: (t) => paint(cli.o, 'bold', t),
    state: (state, padded) => stateColour(cli.o, state, padded),
    severity: (sev, t) => paint(cli.o, colour[sev], t),
  };
}
