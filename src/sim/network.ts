/**
 * The network between the ends: it delivers each segment after the latency, unless a rule armed for
 * it loses, delays, duplicates or reorders it. Segments to a host that does not exist (a spoofed
 * sender) go nowhere.
 */

import type { ConnSegment } from '../flow/trace.js';
import { ACK, FIN, has, RST, type Segment, SYN } from '../tcp/index.js';
import type { Match, Rule, Side } from './types.js';

/** What becomes of one segment: arrivals (a duplicate arrives twice) or a loss, each at a time. */
export interface Fate {
  readonly at: number;
  readonly kind: 'arrive' | 'lost';
  readonly why: string;
}

interface Armed {
  readonly rule: Rule;
  readonly at: number;
  seen: number;
}

/** Whether a segment matches a rule's selector (`FIN` and `RST` match with or without ACK; `SYN` and `ACK` exactly). */
export function matchesSpec(seg: Segment, spec: string): boolean {
  if (spec === 'DATA') return seg.len > 0;
  const want = (b: number, word: string) => spec.split('+').includes(word) === has(seg, b);
  const kinds = want(SYN, 'SYN') && want(FIN, 'FIN') && want(RST, 'RST');
  if (!kinds) return false;
  if ((has(seg, FIN) || has(seg, RST)) && !spec.includes('ACK')) return true;
  if (!want(ACK, 'ACK')) return false;
  return spec !== 'ACK' || seg.len === 0;
}

export class Network {
  private readonly rules: Armed[] = [];

  constructor(
    private readonly latencyMs: number,
    private readonly hosts: ReadonlySet<string>,
  ) {}

  /** Arms a rule from time `at`: it counts matching segments sent from then on. */
  arm(rule: Rule, at: number): void {
    this.rules.push({ rule, at, seen: 0 });
  }

  /** The fate of a segment sent now by `sender` (undefined for injected segments, which no rule touches). */
  fate(p: ConnSegment, sender: Side | undefined): Fate[] {
    const arrive = p.sentAt + this.latencyMs;
    if (!this.hosts.has(p.to.host)) return [{ at: arrive, kind: 'lost', why: `no host ${p.to.host}` }];
    const rule = sender === undefined ? undefined : this.hit(p, sender);
    switch (rule?.kind) {
      case undefined:
        return [{ at: arrive, kind: 'arrive', why: '' }];
      case 'lose':
        return [{ at: arrive, kind: 'lost', why: 'lost' }];
      case 'delay':
        return [{ at: arrive + rule.ms, kind: 'arrive', why: `delayed ${rule.ms}ms` }];
      case 'duplicate':
        return [
          { at: arrive, kind: 'arrive', why: '' },
          { at: arrive + rule.ms, kind: 'arrive', why: 'duplicate' },
        ];
      case 'reorder':
        // Held for two one-way latencies: what is sent right after it overtakes it.
        return [{ at: arrive + 2 * this.latencyMs, kind: 'arrive', why: 'reordered' }];
    }
  }

  private hit(p: ConnSegment, sender: Side): Rule | undefined {
    let chosen: Rule | undefined;
    for (const a of this.rules) {
      if (a.at > p.sentAt || !sameSide(a.rule.match, sender) || !matchesSpec(p.segment, a.rule.match.spec))
        continue;
      a.seen++;
      if (a.seen === a.rule.match.nth && chosen === undefined) chosen = a.rule;
    }
    return chosen;
  }
}

function sameSide(m: Match, side: Side): boolean {
  return m.side === side;
}
