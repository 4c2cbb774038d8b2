/** Failed connects paired from the kernel's events: caller, destination and error. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ConnectEvent, ConnectPairer, errnoName } from '../../src/doctor/connect-events.js';

const state = (
  pid: number,
  skaddr: string,
  from: number,
  to: number,
  sport: number,
  dport = 9,
): ConnectEvent => ({
  event: 'inet_sock_set_state',
  pid,
  skaddr,
  oldstate: from,
  newstate: to,
  saddr: '127.0.0.1',
  daddr: '127.0.0.1',
  sport,
  dport,
});
const report = (error: number, sport: number, dport = 9): ConnectEvent => ({
  event: 'inet_sk_error_report',
  error,
  saddr: '127.0.0.1',
  daddr: '127.0.0.1',
  sport,
  dport,
});
const CLOSE = 7;
const SYN_SENT = 2;
const ESTABLISHED = 1;

function pairer(): ConnectPairer {
  // Thread 101 belongs to process 100 ("storm"); thread 500 lives in another namespace.
  return new ConnectPairer((tid) =>
    tid === 101 || tid === 100 ? { pid: 100, command: 'storm' } : undefined,
  );
}

describe('connect failures from tracefs events', () => {
  it('pairs a refused connect with its error report by 4-tuple, and names the process, not the thread', () => {
    const p = pairer();
    for (let i = 0; i < 3; i++) {
      p.add(state(101, `ff${i}`, CLOSE, SYN_SENT, 0));
      p.add(state(0, `ff${i}`, SYN_SENT, CLOSE, 40000 + i));
      p.add(report(111, 40000 + i));
    }
    assert.deepEqual(p.failures, [
      { pid: 100, command: 'storm', address: '127.0.0.1', port: 9, error: 'ECONNREFUSED', count: 3 },
    ]);
  });

  it('a close that never got a local port is EADDRNOTAVAIL; connect() returning -99 is counted', () => {
    const p = pairer();
    p.add(state(101, 'aa', CLOSE, SYN_SENT, 0, 8080));
    p.add(state(101, 'aa', SYN_SENT, CLOSE, 0, 8080));
    p.add({ event: 'sys_exit_connect', pid: 101, ret: -99 });
    p.add({ event: 'sys_exit_connect', pid: 101, ret: -115 });
    assert.deepEqual(p.failures, [
      { pid: 100, command: 'storm', address: '127.0.0.1', port: 8080, error: 'EADDRNOTAVAIL', count: 1 },
    ]);
    assert.deepEqual(p.returns, [{ pid: 100, command: 'storm', error: 'EADDRNOTAVAIL', count: 1 }]);
  });

  it('a connect that succeeds, one the program closes itself, and other namespaces are no failures', () => {
    const p = pairer();
    p.add(state(101, 'b1', CLOSE, SYN_SENT, 0));
    p.add(state(0, 'b1', SYN_SENT, ESTABLISHED, 40001));
    p.add(state(101, 'b2', CLOSE, SYN_SENT, 0));
    p.add(state(101, 'b2', SYN_SENT, CLOSE, 40002)); // close() in SYN_SENT: no error report follows
    p.add(state(500, 'b3', CLOSE, SYN_SENT, 0));
    p.add(state(0, 'b3', SYN_SENT, CLOSE, 40003));
    p.add(report(111, 40003));
    p.add(report(111, 40004)); // nothing to pair with
    assert.deepEqual(p.failures, []);
  });

  it('names errors', () => {
    assert.equal(errnoName(-111), 'ECONNREFUSED');
    assert.equal(errnoName(110), 'ETIMEDOUT');
    assert.equal(errnoName(5), 'errno 5');
  });
});
