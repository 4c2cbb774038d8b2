/**
 * Properties of address decoding, CIDR matching and the state-name parser, over random input:
 * every 16 bytes survive text and back, the text is the canonical one (WHATWG's serializer, which
 * follows RFC 5952, for all but the mapped addresses the contract writes as dotted quads), every
 * spelling of an address parses to it, a prefix matches exactly the addresses that share its bits
 * (IPv4, IPv6, IPv4-mapped), and no text makes either parser throw. Seeded (TCPSCOPE_SEED=N replays).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cidrMatcher, formatIpv6, parseIp } from '../../src/net/ip.js';
import {
  ALL_STATES,
  maskOf,
  parseStateList,
  parseStateName,
  STATE_GROUPS,
  StateNameError,
} from '../../src/tcp/state-names.js';
import { TCP_STATES } from '../../src/tcp/states.js';
import { withSeed } from '../helpers/random.js';

const RUNS = { numRuns: Number(process.env['FUZZ_RUNS'] ?? 2000) };
/** Addresses with runs of zeros more often than uniform bytes would give. */
const groups = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 0xffff }) },
  ),
  { minLength: 8, maxLength: 8 },
);
const v6bytes = groups.map((g) => {
  const b = new Uint8Array(16);
  g.forEach((v, i) => {
    b[2 * i] = v >> 8;
    b[2 * i + 1] = v & 0xff;
  });
  return b;
});
const v4bytes = fc.uint8Array({ minLength: 4, maxLength: 4 });
const mapped = (v4: Uint8Array) => {
  const b = new Uint8Array(16);
  b[10] = 0xff;
  b[11] = 0xff;
  b.set(v4, 12);
  return b;
};
const anyAddress = fc.oneof(v6bytes, v4bytes.map(mapped), fc.uint8Array({ minLength: 16, maxLength: 16 }));

function isMapped(b: Uint8Array): boolean {
  return b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

/** The first `bits` bits of a and b, compared bit by bit (no shortcut shared with the code under test). */
function sameBits(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const m = 0x80 >> (i % 8);
    if ((a[i >> 3]! & m) !== (b[i >> 3]! & m)) return false;
  }
  return true;
}

/** Another spelling of the same IPv6 address: full or compressed anywhere, any case, leading zeros. */
const spelling = (b: Uint8Array) =>
  fc
    .record({
      upper: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      pad: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
      cut: fc.nat(),
    })
    .map(({ upper, pad, cut }) => {
      const g = Array.from({ length: 8 }, (_, i) => {
        const h = ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16);
        const t = h.padStart(Math.min(4, h.length + pad[i]!), '0');
        return upper[i] ? t.toUpperCase() : t;
      });
      // Compress one run of zero groups, if any, chosen by `cut`.
      const runs: [number, number][] = [];
      for (let i = 0; i < 8; ) {
        if (Number.parseInt(g[i]!, 16) !== 0) {
          i++;
          continue;
        }
        let j = i;
        while (j < 8 && Number.parseInt(g[j]!, 16) === 0) j++;
        runs.push([i, j]);
        i = j;
      }
      if (runs.length === 0 || cut % 3 === 0) return g.join(':');
      const [i, j] = runs[cut % runs.length]!;
      return `${g.slice(0, i).join(':')}::${g.slice(j).join(':')}`;
    });

describe('addresses, over random input', () => {
  it('every 16 bytes survive text and back; the text is canonical', () => {
    fc.assert(
      fc.property(anyAddress, (b) => {
        const text = formatIpv6(b);
        assert.deepEqual(parseIp(text), b, text);
        if (isMapped(b)) assert.equal(text, b.subarray(12).join('.'));
        else assert.equal(text, new URL(`http://[${text}]/`).hostname.slice(1, -1), 'canonical');
      }),
      withSeed(RUNS),
    );
  });

  it('every spelling of an address parses to it', () => {
    fc.assert(
      fc.property(
        v6bytes.chain((b) => fc.tuple(fc.constant(b), spelling(b))),
        ([b, text]) => {
          assert.deepEqual(parseIp(text), b, text);
          assert.equal(formatIpv6(parseIp(text)!), formatIpv6(b));
        },
      ),
      withSeed(RUNS),
    );
  });

  it('a prefix matches exactly the addresses sharing its bits (IPv4, IPv6, IPv4-mapped)', () => {
    const v4case = fc.tuple(v4bytes, v4bytes, fc.integer({ min: 0, max: 32 }), fc.boolean());
    fc.assert(
      fc.property(v4case, ([net, x, bits, near]) => {
        // Half the time an address that shares the prefix, so both answers are tried.
        const addr = near ? Uint8Array.from(net.map((v, i) => (i * 8 + 8 <= bits ? v : x[i]!))) : x;
        const m = cidrMatcher(`${net.join('.')}/${bits}`)!;
        assert.equal(
          m(addr.join('.')),
          sameBits(net, addr, bits),
          `${net.join('.')}/${bits} ${addr.join('.')}`,
        );
        // An IPv4 prefix never matches an IPv6 address that is not mapped.
        assert.equal(m('2001:db8::1'), false);
      }),
      withSeed(RUNS),
    );
    const v6case = fc.tuple(anyAddress, anyAddress, fc.integer({ min: 0, max: 128 }), fc.nat(128));
    fc.assert(
      fc.property(v6case, ([net, x, bits, keep]) => {
        const addr = Uint8Array.from(x);
        // Copy the first `keep` bits of the prefix, so near misses and hits are both frequent.
        for (let i = 0; i < Math.min(keep, 128); i++) {
          const m = 0x80 >> (i % 8);
          addr[i >> 3] = (addr[i >> 3]! & ~m) | (net[i >> 3]! & m);
        }
        // A mapped network address is written as a dotted quad: it is an IPv4 prefix then.
        const text = formatIpv6(net);
        if (isMapped(net)) return;
        const m = cidrMatcher(`${text}/${bits}`)!;
        assert.ok(m, text);
        assert.equal(m(formatIpv6(addr)), sameBits(net, addr, bits), `${text}/${bits} ${formatIpv6(addr)}`);
      }),
      withSeed(RUNS),
    );
  });

  it('no text makes the parsers throw; what they take is an address', () => {
    const junk = fc.oneof(
      fc.string(),
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:./%x '.split('')) }),
      anyAddress.map((b) => `${formatIpv6(b)}/${Math.floor(Math.random() * 200)}`),
    );
    fc.assert(
      fc.property(junk, (s) => {
        const b = parseIp(s);
        if (b !== undefined) assert.equal(b.length, 16);
        const m = cidrMatcher(s);
        if (m !== undefined) assert.equal(typeof m('10.0.0.1'), 'boolean');
      }),
      withSeed({ numRuns: 5000 }),
    );
  });
});

describe('state names, over random input', () => {
  const names = (s: string) => [
    s,
    s.toLowerCase(),
    s.replace(/_/g, '-'),
    ` ${s.toLowerCase().replace(/_/g, '')} `,
  ];
  it('any list of states and groups, in any spelling, gives its mask; ! takes them out', () => {
    const word = fc.oneof(
      fc
        .constantFrom(...TCP_STATES)
        .chain((s) => fc.constantFrom(...names(s)).map((w) => ({ w, m: maskOf(s) }))),
      fc.constantFrom(...Object.entries(STATE_GROUPS)).map(([g, m]) => ({ w: g.toUpperCase(), m })),
    );
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 6 }),
        fc.array(word, { maxLength: 3 }),
        (inc, exc) => {
          const want = inc.reduce((m, x) => m | x.m, 0) & ~exc.reduce((m, x) => m | x.m, 0);
          const text = [...inc.map((x) => x.w), ...exc.map((x) => `!${x.w}`)].join(',');
          assert.equal(parseStateList(text), want, text);
          if (exc.length > 0)
            assert.equal(
              parseStateList(exc.map((x) => `!${x.w}`).join(',')),
              ALL_STATES & ~exc.reduce((m, x) => m | x.m, 0),
            );
        },
      ),
      withSeed(RUNS),
    );
  });

  it('any other text is a StateNameError, never another error', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseStateList(s);
        } catch (e) {
          assert.ok(e instanceof StateNameError, String(e));
        }
        const one = parseStateName(s);
        if (one !== undefined) assert.ok(TCP_STATES.includes(one));
      }),
      withSeed({ numRuns: 5000 }),
    );
  });
});
