/**
 * The `ls` filters over transitions and notes. Pure. A state filter keeps a transition when either
 * end of it (from or to) is one of the states; ports, addresses and family apply to its endpoints.
 */

import { type FilterSpec, portIn } from '../snapshot/filter.js';
import { maskHas } from '../tcp/state-names.js';
import type { TraceItem } from './types.js';

/** The spec as a predicate over items; notes pass only with `notes` (`--events all`). */
export function itemFilter(spec: FilterSpec, notes: boolean): (item: TraceItem) => boolean {
  const { states, ports, sports, dports, src, dst, family, pids, process } = spec;
  return (i) => {
    if (i.kind !== 'transition') {
      if (!notes) return false;
      if (i.local === undefined || i.remote === undefined)
        return family === undefined && !ports && !src && !dst;
    } else if (states !== undefined && !maskHas(states, i.from) && !maskHas(states, i.to)) return false;
    if (family !== undefined && i.family !== family) return false;
    const l = i.local!;
    const r = i.remote!;
    // connect()'s first event has port 0: the remote port still matches.
    if (ports && !portIn(ports, l.port) && !portIn(ports, r.port)) return false;
    if (sports && !portIn(sports, l.port)) return false;
    if (dports && !portIn(dports, r.port)) return false;
    if (src && !src(l.address)) return false;
    if (dst && !dst(r.address)) return false;
    if (pids && !(i.owner && pids.includes(i.owner.pid))) return false;
    if (process !== undefined && !i.owner?.command?.startsWith(process)) return false;
    return true;
  };
}
