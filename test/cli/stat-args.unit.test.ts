import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseInterval, parseViews } from '../../src/cli/commands/stat.js';
import { isUserError } from '../../src/errors.js';

describe('stat arguments', () => {
  it('reads -n lists in any case, ALL, without repeats', () => {
    assert.deepEqual(parseViews('tcp,ETCP'), ['TCP', 'ETCP']);
    assert.deepEqual(parseViews('ALL'), ['SOCK', 'SOCK6', 'TCP', 'ETCP', 'LISTEN', 'STATE']);
    assert.deepEqual(parseViews('state,all'), ['STATE', 'SOCK', 'SOCK6', 'TCP', 'ETCP', 'LISTEN']);
    assert.throws(
      () => parseViews('TCP,DEV'),
      (e: Error) => isUserError(e) && /unknown view 'DEV'/.test(e.message),
    );
    assert.throws(() => parseViews(','), isUserError);
  });

  it('reads INTERVAL in seconds, decimals allowed', () => {
    assert.equal(parseInterval('1'), 1000);
    assert.equal(parseInterval('0.5'), 500);
    for (const bad of ['0', '-1', 'x', '1e3', '100000'])
      assert.throws(() => parseInterval(bad), isUserError, bad);
  });
});
