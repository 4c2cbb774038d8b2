/**
 * The readers' I/O: a file, a named pipe and standard input give the same packets; a missing file
 * and a file that is no capture are one-line errors naming it.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readCaptureFile } from '../../src/capture/index.js';
import { EnvironmentError, ParseError } from '../../src/errors.js';

const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/capture/lo.pcap', import.meta.url));
const READ = fileURLToPath(new URL('../../src/capture/index.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tcpscope-read-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function count(path: string): Promise<number> {
  let n = 0;
  await readCaptureFile(path, () => n++);
  return n;
}

describe('capture file reading', () => {
  it('a file, a named pipe and stdin give the same packets', async () => {
    const want = await count(FIXTURE);
    assert.ok(want > 20);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // The writer is another process: opening a FIFO blocks until both ends are open.
    const writer = spawn('dd', [`if=${FIXTURE}`, `of=${fifo}`, 'bs=1000'], { stdio: 'ignore' });
    const written = once(writer, 'close');
    assert.equal(await count(fifo), want);
    await written;
    const script = `import(${JSON.stringify(READ)}).then(async (m) => { let n = 0; await m.readCaptureFile('-', () => n++); console.log(n); })`;
    const r = spawnSync(process.execPath, ['-e', script], { input: readFileSync(FIXTURE), encoding: 'utf8' });
    assert.equal(r.stdout.trim(), String(want), r.stderr);
  });

  it('a missing file and a file that is no capture: one line naming it', async () => {
    await assert.rejects(
      count(join(dir, 'nope.pcap')),
      (e: unknown) => e instanceof EnvironmentError && /nope\.pcap: not found/.test(e.message),
    );
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a capture at all\n');
    await assert.rejects(
      count(text),
      (e: unknown) =>
        e instanceof ParseError &&
        e.message === `${text}: not a pcap or pcapng capture (starts with 0x6e6f7420)`,
    );
  });
});
