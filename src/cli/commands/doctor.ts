/** `tcpscope doctor`: findings with evidence, severity and the fix, from a snapshot and counter rates. */
import { readFileSync } from 'node:fs';
import { buildConfig, type DoctorConfig } from '../../doctor/config.js';
import { diagnose, reaches } from '../../doctor/diagnose.js';
import { explainRule } from '../../doctor/explain.js';
import { baselineOf, gather, readBaseline } from '../../doctor/gather.js';
import type { Finding, Severity } from '../../doctor/types.js';
import { ParseError, UsageError } from '../../errors.js';
import { captureSeconds, doctorCaptureView, doctorView } from '../../views/doctor.js';
import { endOnInterrupt, progressMeter } from '../file-progress.js';
import { langOf } from '../lang-option.js';
import type { Cli } from '../output.js';
import { renderDiagnosis } from '../render-findings.js';
import { type SourceFlags, sourceOptions } from '../socket-options.js';
import { writeText } from './_files.js';

interface DoctorFlags extends SourceFlags {
  window: string;
  now?: boolean;
  json?: boolean;
  failOn: string;
  lang?: string;
  config?: string;
  set: string[];
  baseline?: string;
  saveBaseline?: string;
  pcap?: string;
  threads?: string;
}

/** Runs `doctor`. */
export async function run(cli: Cli, flags: DoctorFlags): Promise<void> {
  const failOn = parseFailOn(flags.failOn);
  const lang = langOf(flags, cli);
  const window = parseWindow(flags.window);
  const windowSeconds = flags.now ? 0 : window;
  const config = loadConfig(flags);
  if (flags.pcap !== undefined)
    return capture(cli, flags.pcap, {
      json: flags.json === true,
      failOn,
      lang,
      threads: flags.threads ?? 'auto',
    });
  const source = sourceOptions(flags);
  const baseline = flags.baseline !== undefined ? readBaseline(flags.baseline) : undefined;
  if (windowSeconds > 0 && !flags.json)
    cli.o.note(
      `watching for ${windowSeconds} s: a snapshot about every second and the counters (--now for one snapshot)`,
    );
  const input = await gather({ ...source, windowSeconds, config, lang, ...(baseline ? { baseline } : {}) });
  if (flags.saveBaseline !== undefined) {
    const b = baselineOf(input.snapshot);
    await writeText(flags.saveBaseline, `${JSON.stringify(b, null, 2)}\n`);
    cli.o.note(`baseline of ${b.listeners.length} listener(s) written to ${flags.saveBaseline}`);
    return;
  }
  const diagnosis = diagnose(input, explainRule);
  if (diagnosis.findings.some((f) => reaches(f, failOn))) cli.exit(1);
  if (flags.json) cli.o.out(`${JSON.stringify(doctorView(input, diagnosis, windowSeconds, config))}\n`);
  else cli.o.out(renderDiagnosis(cli.o, diagnosis, { lang, windowSeconds, source: input.snapshot.source }));
}

/** `doctor --pcap FILE`: the rules a capture can support, over the connections the flow tracker rebuilt. */
async function capture(
  cli: Cli,
  file: string,
  opts: { json: boolean; failOn: Severity | 'never'; lang: 'en' | 'zh'; threads: string },
): Promise<void> {
  const { readCaptureFile } = await import('../../capture/index.js');
  const { FlowTracker, MAX_FLOWS } = await import('../../flow/index.js');
  const { CaptureConns, WireFacts, diagnoseCapture } = await import('../../doctor/capture-rules.js');
  const { readInParts, threadsFor, workerProgram } = await import('./pcap-parallel.js');
  const conns = new CaptureConns();
  const facts = new WireFacts();
  const threads = threadsFor(opts.threads, file);
  const program = threads > 1 ? workerProgram() : undefined;
  const progress = progressMeter(cli, file, program !== undefined);
  const interrupt = endOnInterrupt(cli, file);
  if (program !== undefined) {
    // Each worker tracks its share of the flows and keeps what a rule may name of them.
    await readInParts(program, {
      file,
      parts: threads,
      maxFlows: MAX_FLOWS,
      mode: 'doctor',
      filters: {},
      onConn: (c) => conns.addKept(c),
      onDoctor: (share) => {
        conns.addQuiet(share.quiet.connections, share.quiet.segments);
        facts.merge(share.facts);
        conns.fails.merge(share.fails);
      },
      ...(progress ? { onOffset: progress } : {}),
    });
  } else {
    const tracker = new FlowTracker({ maxFlows: MAX_FLOWS, onConn: (c) => conns.add(c) });
    await readCaptureFile(
      file,
      (p) => {
        facts.push(p);
        tracker.push(p);
        progress?.(p.offset);
      },
      { reuse: true, ...(interrupt.signal ? { signal: interrupt.signal } : {}) },
    );
    interrupt.off();
    tracker.finish();
  }
  progress?.(-1);
  // In order of first packet, whichever thread finished them.
  conns.kept.sort((a, b) => a.n - b.n);
  const d = diagnoseCapture(
    { file, conns: conns.kept, quiet: conns.quiet, fails: conns.fails, facts, lang: opts.lang },
    explainRule,
  );
  if (d.findings.some((f) => reaches(f, opts.failOn))) cli.exit(1);
  const summary = {
    file,
    firstUs: facts.firstUs,
    lastUs: facts.lastUs,
    connections: conns.count,
    segments: facts.segments,
  };
  const seconds = captureSeconds(summary);
  if (opts.json) cli.o.out(`${JSON.stringify(doctorCaptureView(summary, d))}\n`);
  else
    cli.o.out(
      renderDiagnosis(cli.o, d, {
        lang: opts.lang,
        windowSeconds: Number(seconds.toFixed(3)),
        source: `capture ${file} (${conns.count} connections)`,
      }),
    );
}

function parseFailOn(text: string): Severity | 'never' {
  if (text === 'warning' || text === 'critical' || text === 'never' || text === 'info') return text;
  throw new UsageError(`--fail-on: '${text}' is not warning, critical or never`);
}

function parseWindow(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n <= 0 || n > 3600)
    throw new UsageError(`--window: '${text}' is not a number of seconds (0 < s <= 3600)`);
  return n;
}

function loadConfig(flags: DoctorFlags): DoctorConfig {
  let file: unknown;
  if (flags.config !== undefined) {
    try {
      file = JSON.parse(readFileSync(flags.config, 'utf8'));
    } catch (e) {
      throw new ParseError(`--config ${flags.config}: ${(e as Error).message}`);
    }
  }
  const { config, errors } = buildConfig(file, flags.set);
  if (errors.length > 0) throw new UsageError(errors[0]!);
  return config;
}

export type { Finding };
