/**
 * Every command, in the order `--help` lists them. A command file exports one `register`.
 */
import type { Command } from 'commander';
import type { Cli } from '../output.js';
import { register as count } from './count.js';
import { register as counters } from './counters.js';
import { register as diagram } from './diagram.js';
import { register as doctor } from './doctor.js';
import { register as explain } from './explain.js';
import { register as kill } from './kill.js';
import { register as lab } from './lab.js';
import { register as ls } from './ls.js';
import { register as overview } from './overview.js';
import { register as simulate } from './simulate.js';
import { register as stat } from './stat.js';
import { register as who } from './who.js';

export type Register = (program: Command, cli: Cli) => void;

export const COMMANDS: readonly Register[] = [
  overview,
  ls,
  count,
  who,
  kill,
  stat,
  counters,
  explain,
  doctor,
  diagram,
  simulate,
  lab,
];
