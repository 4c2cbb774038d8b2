/**
 * Every command, in the order `--help` lists them. A command file exports one `register`.
 * The socket-table commands are registered at once; the others are lazy: a stand-in with the
 * command's name and description takes its arguments as they are, and only when it runs loads the
 * command's module (the knowledge base, the lab, the simulator...) and parses them for real. Start-up
 * of `ls` and `count` then evaluates none of that code.
 */
import { Command } from 'commander';
import type { Cli } from '../output.js';
import { register as count } from './count.js';
import { register as ls } from './ls.js';
import { register as overview } from './overview.js';
import { register as who } from './who.js';

export type Register = (program: Command, cli: Cli) => void;

/** A command whose module is loaded when it runs (or when its --help is asked for). */
function lazy(name: string, description: string, load: () => Promise<{ register: Register }>): Register {
  return (program, cli) => {
    program
      .command(name)
      .description(description)
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .action(async (_opts: unknown, stand: Command) => {
        const args = stand.args;
        const { register } = await load();
        // The real command, on a program configured as the main one (exit override, output).
        const real = new Command('tcpscope')
          .exitOverride()
          .enablePositionalOptions()
          .showHelpAfterError('(add --help for usage)')
          .configureOutput({ writeOut: (s) => cli.o.out(s), writeErr: (s) => cli.o.err(s) });
        register(real, cli);
        await real.parseAsync([name, ...args], { from: 'user' });
      });
  };
}

export const COMMANDS: readonly Register[] = [
  overview,
  ls,
  count,
  who,
  lazy(
    'kill',
    'close the TCP sockets that match a filter (like ss -K), after confirmation',
    () => import('./kill.js'),
  ),
  lazy(
    'stat',
    'kernel TCP counters over time: sockets, opens, errors, listen queues, states (like sar -n)',
    () => import('./stat.js'),
  ),
  lazy(
    'counters',
    'every kernel network counter under nstat names, absolute or since the last call',
    () => import('./counters.js'),
  ),
  lazy(
    'trace',
    'every TCP state transition as it happens, from tracefs (like tcpstates)',
    () => import('./trace.js'),
  ),
  lazy(
    'life',
    'one line per finished connection with its duration and states (like tcplife); --summary',
    () => import('./life.js'),
  ),
  lazy(
    'explain',
    'what a TCP state or situation means, what many of one mean, and what to do',
    () => import('./explain.js'),
  ),
  lazy(
    'doctor',
    'diagnose TCP trouble: findings with evidence (process, port, peers), severity and the fix',
    () => import('./doctor.js'),
  ),
  lazy(
    'diagram',
    'the TCP state diagram: client path solid, server path dashed (svg, mermaid, dot, text)',
    () => import('./diagram.js'),
  ),
  lazy(
    'simulate',
    'run two TCP ends over a lossy network: a ladder diagram with both states after each step',
    () => import('./simulate.js'),
  ),
  lazy(
    'lab',
    'make TCP states and situations happen in a private namespace, and show them (root)',
    () => import('./lab.js'),
  ),
];
