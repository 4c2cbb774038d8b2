/**
 * What a capture reader counted besides the packets it yielded: records skipped by kind, and where
 * the first problems were. Pure.
 */

/** Records and packets not yielded, by reason. */
export interface SkippedCounts {
  /** IP packets of another protocol (UDP, ICMP...). */
  notTcp: number;
  /** Frames that carry no IP (ARP, LLDP...). */
  notIp: number;
  /** Non-first IP fragments: no TCP header in them. */
  fragments: number;
  /** Captured too short to hold the IP and TCP headers (a snaplen below ~54 bytes). */
  truncated: number;
  /** Headers that contradict themselves (bad version, lengths, data offset). */
  malformed: number;
  /** Damaged file structure: a record or block that cannot be what it says; skipped to the next good one. */
  corrupt: number;
  /** pcapng blocks of a type not needed here (statistics, name resolution, custom, unknown). */
  otherBlocks: number;
  /** Packets on an interface whose link type tcpscope does not decode. */
  unsupportedLink: number;
}

/** One problem and the byte offset of its record in the input. */
export interface CaptureProblem {
  offset: number;
  reason: keyof SkippedCounts;
  detail: string;
}

/** The tally of one read. */
export interface CaptureStats {
  format: 'pcap' | 'pcapng' | undefined;
  /** Packet records seen (pcap records; pcapng EPB, SPB, OPB). */
  records: number;
  /** TCP segments yielded. */
  packets: number;
  /** Input bytes consumed. */
  bytes: number;
  skipped: SkippedCounts;
  /** The first problems (at most `MAX_PROBLEMS`), in input order. */
  problems: CaptureProblem[];
  /** Link types met, by interface (pcap has one interface, 0). */
  linkTypes: number[];
}

/** How many problems are listed with their offsets; the counts go on. */
export const MAX_PROBLEMS = 20;

/** A zeroed tally. */
export function emptyStats(): CaptureStats {
  return {
    format: undefined,
    records: 0,
    packets: 0,
    bytes: 0,
    skipped: {
      notTcp: 0,
      notIp: 0,
      fragments: 0,
      truncated: 0,
      malformed: 0,
      corrupt: 0,
      otherBlocks: 0,
      unsupportedLink: 0,
    },
    problems: [],
    linkTypes: [],
  };
}

/** Counts one skipped record; lists it with its offset while the list is short. */
export function countProblem(
  stats: CaptureStats,
  reason: keyof SkippedCounts,
  offset: number,
  detail: string,
): void {
  stats.skipped[reason]++;
  if (stats.problems.length < MAX_PROBLEMS) stats.problems.push({ offset, reason, detail });
}

/** Total records and blocks skipped. */
export function totalSkipped(stats: CaptureStats): number {
  let n = 0;
  for (const v of Object.values(stats.skipped)) n += v;
  return n;
}
