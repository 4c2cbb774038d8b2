/**
 * Capture files and live captures: pcap and pcapng read in chunks into `WirePacket`s (the pure
 * parser in `parser.ts`, the I/O in `read.ts`), and tcpdump as a child (`tcpdump.ts`).
 */

export { captureFilter, type FilterFlags as CaptureFilterFlags } from './bpf.js';
export { CaptureParser, parseCapture } from './parser.js';
export { capturePackets, type ReadOptions, readCaptureFile, readCaptureStream } from './read.js';
export { type CaptureProblem, type CaptureStats, type SkippedCounts, totalSkipped } from './stats.js';
export { captureLive, type LiveOptions, type LiveResult, tcpdumpArgs } from './tcpdump.js';
export { LINKTYPE } from './wire-link.js';
