import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSockstat } from '../../src/kernel/counters-parse-sockstat.js';
import { cgroupLabel } from '../../src/kernel/parse-cgroup.js';

describe('parseSockstat', () => {
  it('keeps the kernel names, sockstat and sockstat6 alike', () => {
    const s = parseSockstat(
      'sockets: used 32\nTCP: inuse 16 orphan 2 tw 0 alloc 95228 mem 36\nFRAG: inuse 0 memory 0\nTCP6: inuse 4\n\ngarbage\n',
    );
    assert.equal(s.malformed, 1, 'the garbage line');
    assert.deepEqual(s.value, {
      sockets: { used: 32 },
      TCP: { inuse: 16, orphan: 2, tw: 0, alloc: 95228, mem: 36 },
      FRAG: { inuse: 0, memory: 0 },
      TCP6: { inuse: 4 },
    });
  });
});

describe('cgroupLabel', () => {
  const id = '3f2a1b9c0d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8';
  const cases: [string, string, object][] = [
    ['root (init)', '0::/\n', {}],
    ['a systemd service', '0::/system.slice/nginx.service\n', { unit: 'nginx.service' }],
    ['a login session', '0::/user.slice/user-1000.slice/session-3.scope\n', { unit: 'session-3.scope' }],
    [
      'docker (systemd driver)',
      `0::/system.slice/docker-${id}.scope\n`,
      { container: 'docker:3f2a1b9c0d4e' },
    ],
    [
      'docker (cgroupfs driver, v1)',
      `12:pids:/docker/${id}\n1:name=systemd:/docker/${id}\n0::/\n`,
      { container: 'docker:3f2a1b9c0d4e' },
    ],
    [
      'kubernetes with containerd',
      `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b.slice/cri-containerd-${id}.scope\n`,
      { container: 'containerd:3f2a1b9c0d4e' },
    ],
    [
      'podman',
      `0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${id}.scope/container\n`,
      { container: 'podman:3f2a1b9c0d4e', unit: 'user@1000.service' },
    ],
    ['lxc', '0::/lxc.payload.web1/init.scope\n', { container: 'lxc:web1' }],
    ['systemd-nspawn', '0::/machine.slice/machine-build.scope/payload\n', { container: 'nspawn:build' }],
  ];
  for (const [what, text, want] of cases) {
    it(what, () => assert.deepEqual(cgroupLabel(text), want));
  }
});
