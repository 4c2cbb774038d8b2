/**
 * Targets that test the fuzzer itself. A maze: four nested checks on the first bytes, the last one throws.
 * Blind mutation of the seed would need all four at once; guided by coverage, each check passed
 * is a new block, and the input that passed it is kept and mutated further.
 */
import type { FuzzTarget } from './engine.js';

export function maze(b: Uint8Array): void {
  if (b.length < 4) return;
  if (b[0]! >> 4 !== 0x5) return;
  if (b[1]! >> 4 !== 0xa) return;
  if (b[2]! >> 4 !== 0x3) return;
  if (b[3]! >> 4 !== 0xc) return;
  throw new Error('the maze was solved');
}

export const MAZE: FuzzTarget = {
  maxLen: 8,
  cover: ['/build/test/helpers/fuzz/self-test'],
  seeds: () => [new Uint8Array(6)],
  run: maze,
};

/** An input that never ends. */
export const STALL: FuzzTarget = {
  maxLen: 8,
  cover: ['/build/test/helpers/fuzz/self-test'],
  seeds: () => [new Uint8Array(1)],
  run(b) {
    let x = b.length;
    for (;;) x = (x * 33 + 1) | 0;
  },
};

/** An input that takes all memory there is. */
export const RUNAWAY: FuzzTarget = {
  maxLen: 8,
  cover: ['/build/test/helpers/fuzz/self-test'],
  seeds: () => [new Uint8Array(1)],
  run() {
    const held: number[][] = [];
    for (;;) held.push(new Array(1 << 16).fill(1.5));
  },
};

export const SELF_TEST: Record<string, FuzzTarget> = { maze: MAZE, stall: STALL, runaway: RUNAWAY };
