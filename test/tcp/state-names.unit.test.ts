import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALL_STATES,
  maskStates,
  parseStateList,
  parseStateName,
  STATE_GROUPS,
  StateNameError,
} from '../../src/tcp/state-names.js';
import { STATE_INFO, stateCode, stateFromCode, TCP_STATES } from '../../src/tcp/states.js';

describe('state model', () => {
  it('numbers states as the kernel does (include/net/tcp_states.h)', () => {
    assert.equal(stateCode('ESTABLISHED'), 1);
    assert.equal(stateCode('LISTEN'), 10);
    assert.equal(stateCode('CLOSING'), 11);
    assert.equal(stateFromCode(6), 'TIME_WAIT');
    assert.equal(stateFromCode(0), undefined);
    assert.equal(stateFromCode(12), undefined);
    assert.equal(STATE_INFO.length, 11);
    for (const s of STATE_INFO) assert.equal(TCP_STATES[s.code - 1], s.name);
  });

  it('describes every state in English and Chinese', () => {
    for (const s of STATE_INFO) {
      assert.ok(s.en.length > 10, s.name);
      assert.match(s.zh, /[\u4e00-\u9fff]/, s.name);
      assert.match(s.rfc, /^[A-Z0-9-]+$/);
    }
  });
});

describe('parseStateName', () => {
  const table: [string, string | undefined][] = [
    ['established', 'ESTABLISHED'],
    ['estab', 'ESTABLISHED'],
    ['SYN-RECEIVED', 'SYN_RECV'],
    ['syn_rcvd', 'SYN_RECV'],
    ['Syn-Recv', 'SYN_RECV'],
    ['fin-wait-1', 'FIN_WAIT1'],
    ['FIN_WAIT_2', 'FIN_WAIT2'],
    ['finwait2', 'FIN_WAIT2'],
    ['time-wait', 'TIME_WAIT'],
    ['LISTENING', 'LISTEN'],
    ['closed', 'CLOSE'],
    ['CLOSE', 'CLOSE'],
    ['close-wait', 'CLOSE_WAIT'],
    ['last_ack', 'LAST_ACK'],
    ['closing', 'CLOSING'],
    ['new_syn_recv', undefined],
    ['bogus', undefined],
  ];
  for (const [word, want] of table) {
    it(`${word} -> ${want}`, () => assert.equal(parseStateName(word), want));
  }
});

describe('parseStateList', () => {
  it('takes groups as ss defines them', () => {
    assert.deepEqual(maskStates(STATE_GROUPS['bucket']!), ['SYN_RECV', 'TIME_WAIT']);
    assert.deepEqual(maskStates(parseStateList('connected')), [
      'ESTABLISHED',
      'SYN_SENT',
      'SYN_RECV',
      'FIN_WAIT1',
      'FIN_WAIT2',
      'TIME_WAIT',
      'CLOSE_WAIT',
      'LAST_ACK',
      'CLOSING',
    ]);
    assert.ok(!maskStates(parseStateList('synchronized')).includes('SYN_SENT'));
    assert.equal(parseStateList('all'), ALL_STATES);
    assert.equal(ALL_STATES, 0xffe);
  });

  it('keeps teardown apart from the CLOSING state', () => {
    assert.deepEqual(maskStates(parseStateList('teardown')), [
      'FIN_WAIT1',
      'FIN_WAIT2',
      'TIME_WAIT',
      'CLOSE_WAIT',
      'LAST_ACK',
      'CLOSING',
    ]);
    assert.deepEqual(maskStates(parseStateList('closing')), ['CLOSING']);
  });

  it('takes comma lists and exclusions', () => {
    assert.deepEqual(maskStates(parseStateList('listen, estab')), ['ESTABLISHED', 'LISTEN']);
    assert.equal(maskStates(parseStateList('!time-wait')).length, 10);
    assert.deepEqual(maskStates(parseStateList('teardown,!TIME_WAIT,!closing')), [
      'FIN_WAIT1',
      'FIN_WAIT2',
      'CLOSE_WAIT',
      'LAST_ACK',
    ]);
  });

  it('names the valid words when a word is unknown', () => {
    assert.throws(
      () => parseStateList('established,nope'),
      (e: unknown) =>
        e instanceof StateNameError && /unknown state 'nope'/.test(e.message) && /SYN_RECV/.test(e.message),
    );
    assert.throws(() => parseStateList(','), StateNameError);
  });
});
