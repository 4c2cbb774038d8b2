/** What /proc's hidepid hides, from mountinfo and status texts as the kernel writes them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcMount, seesPast } from '../../src/kernel/proc-hiding.js';

const line = (point: string, fstype: string, superOpts: string) =>
  `22 1 0:21 / ${point} rw,nosuid,nodev,noexec,relatime shared:12 - ${fstype} ${fstype} ${superOpts}`;
const status = (uid: number, gid: number, groups: number[]) =>
  `Name:\tnode\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${gid}\t${gid}\t${gid}\t${gid}\nGroups:\t${groups.join(' ')} \n`;

describe('/proc hidepid', () => {
  it('reads hidepid and gid from the proc mount at the point asked', () => {
    assert.deepEqual(parseProcMount(line('/proc', 'proc', 'rw,hidepid=invisible,gid=4'), '/proc'), {
      hidepid: 'invisible',
      gid: 4,
    });
    assert.deepEqual(parseProcMount(line('/proc', 'proc', 'rw,hidepid=2'), '/proc'), { hidepid: '2' });
    assert.deepEqual(parseProcMount(line('/proc', 'proc', 'rw,hidepid=noaccess'), '/proc'), {
      hidepid: 'noaccess',
    });
  });

  it('hides nothing without hidepid, with hidepid=0 or ptraceable, or elsewhere', () => {
    assert.equal(parseProcMount(line('/proc', 'proc', 'rw'), '/proc'), undefined);
    assert.equal(parseProcMount(line('/proc', 'proc', 'rw,hidepid=0'), '/proc'), undefined);
    assert.equal(parseProcMount(line('/proc', 'proc', 'rw,hidepid=ptraceable'), '/proc'), undefined);
    assert.equal(parseProcMount(line('/host/proc', 'proc', 'rw,hidepid=2'), '/proc'), undefined);
    assert.equal(parseProcMount('', '/proc'), undefined);
    assert.equal(parseProcMount('garbage\n- - -', '/proc'), undefined);
  });

  it('takes the last mount on the point: a later mount covers an earlier one', () => {
    const two = [line('/proc', 'proc', 'rw,hidepid=2'), line('/proc', 'proc', 'rw')].join('\n');
    assert.equal(parseProcMount(two, '/proc'), undefined);
    const again = [line('/proc', 'proc', 'rw'), line('/proc', 'proc', 'rw,hidepid=1')].join('\n');
    assert.deepEqual(parseProcMount(again, '/proc'), { hidepid: '1' });
  });

  it('root and members of the mount group see past it', () => {
    const h = { hidepid: '2', gid: 4 };
    assert.equal(seesPast(status(0, 0, []), h), true);
    assert.equal(seesPast(status(65534, 65534, []), h), false);
    assert.equal(seesPast(status(1000, 1000, [4, 27]), h), true);
    assert.equal(seesPast(status(1000, 4, []), h), true);
    assert.equal(seesPast(status(1000, 1000, [4]), { hidepid: '2' }), false);
  });
});
