import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureFilter } from '../../src/capture/bpf.js';
import { tcpdumpArgs } from '../../src/capture/tcpdump.js';
import { UsageError } from '../../src/errors.js';

describe('capture filter from flags', () => {
  it('builds words for tcpdump, never a shell string', () => {
    const cases: [Parameters<typeof captureFilter>[0], string][] = [
      [{}, 'tcp'],
      [{ port: '80' }, 'tcp and port 80'],
      [{ port: '80,443,8000-8100' }, 'tcp and ( port 80 or port 443 or portrange 8000-8100 )'],
      [{ host: '127.0.0.1' }, 'tcp and host 127.0.0.1'],
      [{ host: '203.0.113.0/24,::1' }, 'tcp and ( net 203.0.113.0/24 or host ::1 )'],
      [{ host: '2001:DB8:0:0::/32' }, 'tcp and net 2001:db8::/32'],
      [{ ipv6: true, port: '9000' }, 'tcp and ip6 and port 9000'],
      [{ bpf: 'tcp[tcpflags] & tcp-syn != 0' }, 'tcp and (tcp[tcpflags] & tcp-syn != 0)'],
    ];
    for (const [flags, want] of cases)
      assert.equal(captureFilter(flags).join(' '), want, JSON.stringify(flags));
  });

  it('refuses what is no port, address or expression, in one line naming the flag', () => {
    const bad: [Parameters<typeof captureFilter>[0], RegExp][] = [
      [{ port: '80; rm -rf /' }, /^--port: '80; rm -rf \/' is not a port/],
      [{ port: '70000' }, /^--port/],
      [{ port: '9-3' }, /^--port/],
      [{ host: 'example.com' }, /^--host: 'example.com' is not an IP address/],
      [{ host: '127.0.0.1/33' }, /^--host/],
      [{ bpf: '  ' }, /^--bpf/],
      [{ ipv4: true, ipv6: true }, /-4 and -6/],
    ];
    for (const [flags, msg] of bad)
      assert.throws(
        () => captureFilter(flags),
        (e: unknown) => e instanceof UsageError && msg.test(e.message),
      );
  });

  it('tcpdump writes pcap to stdout unbuffered, in immediate mode, the filter after --', () => {
    assert.deepEqual(tcpdumpArgs({ iface: 'lo', filter: ['tcp', 'and', 'port', '80'], snaplen: 256 }), [
      'tcpdump',
      '-U',
      '--immediate-mode',
      '-n',
      '-s',
      '256',
      '-w',
      '-',
      '-i',
      'lo',
      '--',
      'tcp',
      'and',
      'port',
      '80',
    ]);
    assert.deepEqual(tcpdumpArgs({ iface: 'any', filter: ['tcp'], snaplen: 96, netns: 'blue' }).slice(0, 5), [
      'ip',
      'netns',
      'exec',
      'blue',
      'tcpdump',
    ]);
  });
});
