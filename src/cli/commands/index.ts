/**
 * Every command, in the order `--help` lists them. A command file exports one `register`.
 */
import type { Command } from 'commander';
import type { Cli } from '../output.js';
import { register as diagram } from './diagram.js';
import { register as simulate } from './simulate.js';

export type Register = (program: Command, cli: Cli) => void;

export const COMMANDS: readonly Register[] = [diagram, simulate];
