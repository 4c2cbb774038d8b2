/**
 * The lab's scenarios as data: what each one shows, what it asks the holder to make (a plan of one
 * or more processes, each with a holder spec), which doctor rules should name it, the tcpscope
 * commands that show it, and, where the article's folklore is wrong, what really happens. Pure.
 * The situations live in catalog-situations.ts, the shapes in catalog-types.ts; this file has the
 * states and the functions that find a scenario and fill in its commands.
 */
import { SITUATIONS } from './catalog-situations.js';
import type { LabPlan, LabScenario, LabStep } from './catalog-types.js';
import { type HoldItem, STATE_KINDS, type StateKind } from './scenario.js';

const STATE_BASE = 30000;
/** IPv6 items of a state scenario sit this far above the IPv4 ones. */
const V6_OFFSET = 100;

/** What each state scenario shows, and what the lab's timers make of it. */
const STATE_TEXT: Record<Exclude<StateKind, 'accept-queue'>, [title: string, reality: string]> = {
  listen: [
    'a listening socket',
    'LISTEN lasts as long as the program keeps the socket; ls -l -p names the program behind each port.',
  ],
  'syn-sent': [
    'a connect() nobody answers (SYNs dropped)',
    'SYN_SENT lasts while SYNs are retried: about 35 s here (tcp_syn_retries 4), 127 s with the default 6.',
  ],
  'syn-recv': [
    'a handshake whose last ACK is lost',
    'The listener keeps a request socket (no owner) and resends its SYN-ACK: about 31 s here (tcp_synack_retries 4), 63 s by default.',
  ],
  established: [
    'an open connection',
    'ESTABLISHED has no timer of its own: it lasts until either end closes.',
  ],
  'fin-wait-1': [
    'a closed socket whose FIN is not acknowledged',
    'An orphan resends its FIN until tcp_orphan_retries gives up: about 25 s here (6 retries).',
  ],
  'fin-wait-2': [
    'a closed socket whose peer has not closed',
    'Orphaned FIN_WAIT2 ends after tcp_fin_timeout (30 s here, 60 s by default); a program that only called shutdown() keeps it for ever.',
  ],
  'close-wait': [
    'a peer that closed, and a program that has not',
    'CLOSE_WAIT has no timer: it lasts until the program calls close().',
  ],
  closing: [
    'both ends closing at once, with the last ACK lost',
    'CLOSING is rare: both FINs crossed. The orphan resends its FIN for about 25 s here (tcp_orphan_retries 6).',
  ],
  'last-ack': [
    'a passive close whose FIN is not acknowledged',
    'The orphan resends its FIN until tcp_orphan_retries gives up: about 25 s here.',
  ],
  'time-wait': [
    'the end that closed first, after the close',
    'TIME_WAIT lasts a fixed 60 s on Linux (TCP_TIMEWAIT_LEN, no sysctl) and owns no process; the lab never waits it out.',
  ],
};

/** The ten state scenarios, each over IPv4 and IPv6. */
const STATES: LabScenario[] = STATE_KINDS.filter((k) => k !== 'accept-queue').map((kind): LabScenario => {
  const [title, reality] = STATE_TEXT[kind as Exclude<StateKind, 'accept-queue'>];
  return {
    id: kind,
    group: 'state',
    title,
    shows: `${stateName(kind)} over IPv4 and IPv6`,
    reality: [reality],
    port: STATE_BASE,
    count: { default: 1, max: 20, what: 'items per family' },
    rules: kind === 'listen' ? ['listen-audit'] : [],
    sysctls: [],
    steps: [],
    plan: (count, port) => ({
      processes: [
        {
          role: 'holder',
          exe: 'node',
          items: Array.from({ length: count }, (_, i): HoldItem[] => [
            { kind, family: 4, port: port + i },
            { kind, family: 6, port: port + V6_OFFSET + i },
          ]).flat(),
        },
      ],
      sysctls: {},
      culprit: { process: 0, port },
    }),
  };
});

/** `fin-wait-1` → `FIN_WAIT1`, `syn-recv` → `SYN_RECV`. */
function stateName(kind: string): string {
  return kind.toUpperCase().replace(/-(\d)/, '$1').replace(/-/g, '_');
}

/** Every scenario: the states first, then the situations. */
export const LAB_SCENARIOS: readonly LabScenario[] = [...STATES, ...SITUATIONS];

/** A scenario by id, or undefined. */
export function findScenario(id: string): LabScenario | undefined {
  return LAB_SCENARIOS.find((s) => s.id === id);
}

/** The commands that show a scenario, placeholders filled: count, its own, ls -p, who, the doctor. */
export function labSteps(s: LabScenario, netns: string, port: number): LabStep[] {
  const fill = (argv: readonly string[]) =>
    argv.map((a) => a.replaceAll('{netns}', netns).replaceAll('{port}', String(port)));
  const ns = ['--netns', netns];
  return [
    { argv: ['count', ...ns] },
    ...s.steps.map((st) => ({ ...st, argv: fill(st.argv) })),
    { argv: ['ls', ...ns, '-p', '--port', String(port)] },
    { argv: ['who', String(port), ...ns] },
    // A short window: one snapshot cannot show that the scenario's sockets stay.
    { argv: ['doctor', '--window', '2', ...ns] },
  ];
}

/** Every port a plan's items use. */
export function planPorts(plan: LabPlan): number[] {
  return plan.processes.flatMap((p) => p.items.map((i) => i.port));
}
