import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arrangeArgs, editDistance } from '../../src/cli/arrange-args.js';
import type { Output } from '../../src/cli/output.js';
import { buildProgram } from '../../src/cli/program.js';
import { isUserError } from '../../src/errors.js';

const quiet: Output = { out: () => {}, err: () => {}, note: () => {}, tty: false, columns: 80 };
const program = buildProgram(quiet, () => {});
const arrange = (line: string): string => arrangeArgs(program, line.split(' ')).join(' ');

describe('options anywhere: arrangeArgs', () => {
  it('moves the options typed before the command after it', () => {
    const cases: [string, string][] = [
      ['--netns blue count --json', 'count --netns blue --json'],
      ['--netns=blue --json count', 'count --netns=blue --json'],
      ['--netns-pid 42 doctor --now', 'doctor --netns-pid 42 --now'],
      ['--lang zh explain time-wait', 'explain --lang zh time-wait'],
      ['-s listen --port 80 ls -p', 'ls -s listen --port 80 -p'],
      // After the subcommand of a command that has them.
      ['--json lab run close-wait-leak', 'lab run --json close-wait-leak'],
      ['--help lab run', 'lab run --help'],
      // -o takes a value in diagram and not in ls: a command name after it is the command.
      ['-o ls', 'ls -o'],
      ['-o tcp.svg diagram', 'diagram -o tcp.svg'],
      // No command, or the version: as typed.
      ['--netns blue --json', '--netns blue --json'],
      ['-V count', '-V count'],
      ['count --json', 'count --json'],
    ];
    for (const [typed, arranged] of cases) assert.equal(arrange(typed), arranged, typed);
  });

  it('refuses a word that is no command, naming the closest', () => {
    const refused = (line: string, message: RegExp) =>
      assert.throws(
        () => arrange(line),
        (e: Error) => isUserError(e) && message.test(e.message),
      );
    refused('frobnicate', /^unknown command 'frobnicate': the closest is '\w+'/);
    refused('cuont', /^unknown command 'cuont': did you mean 'count'\?/);
    refused('--netns blue docter --now', /did you mean 'doctor'\?/);
    refused('--json lss', /did you mean 'ls'\?/);
  });

  it('counts a swap of neighbours as one edit', () => {
    assert.equal(editDistance('cuont', 'count'), 1);
    assert.equal(editDistance('count', 'count'), 0);
    assert.equal(editDistance('', 'ls'), 2);
    assert.equal(editDistance('stat', 'start'), 1);
  });
});
