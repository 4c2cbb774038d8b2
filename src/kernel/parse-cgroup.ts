/**
 * Which container or systemd unit a process runs in, from its /proc/PID/cgroup text. Pure.
 * cgroup v2 has one line `0::/path`; v1 has one per hierarchy, of which `name=systemd` names units.
 * Paths as the common runtimes make them:
 *   /system.slice/docker-<id>.scope, /docker/<id>           → docker:<id, 12 digits>
 *   .../cri-containerd-<id>.scope, .../crio-<id>.scope      → containerd:<id>, crio:<id>
 *   .../libpod-<id>.scope                                    → podman:<id>
 *   /lxc.payload.<name>, /lxc/<name>                        → lxc:<name>
 *   /machine.slice/machine-<name>.scope                      → nspawn:<name>
 *   /system.slice/nginx.service                              → unit nginx.service
 * @see https://systemd.io/CGROUP_DELEGATION/, Documentation/admin-guide/cgroup-v2.rst
 */

export interface CgroupLabel {
  /** The systemd unit (`nginx.service`, `session-3.scope`). */
  unit?: string;
  /** The container, `runtime:id` (ids cut to 12 characters, as docker ps shows them). */
  container?: string;
}

const CONTAINERS: readonly [RegExp, string][] = [
  [/(?:^|\/)docker-([0-9a-f]{12,})\.scope(?:\/|$)/, 'docker'],
  [/^\/docker\/([0-9a-f]{12,})/, 'docker'],
  [/(?:^|\/)cri-containerd-([0-9a-f]{12,})\.scope(?:\/|$)/, 'containerd'],
  [/(?:^|\/)crio-([0-9a-f]{12,})\.scope(?:\/|$)/, 'crio'],
  [/(?:^|\/)libpod-([0-9a-f]{12,})\.scope(?:\/|$)/, 'podman'],
  [/^\/lxc(?:\.payload\.|\/)([^/]+)/, 'lxc'],
  [/^\/machine\.slice\/machine-([^/]+)\.scope/, 'nspawn'],
];

/** The cgroup path that names units and containers: the v2 line, else v1's name=systemd. */
function cgroupPath(text: string): string | undefined {
  const lines = text.split('\n');
  const v2 = lines.find((l) => l.startsWith('0::'));
  const systemd = lines.find((l) => l.includes(':name=systemd:'));
  const line = v2 && v2 !== '0::/' ? v2 : (systemd ?? v2);
  return line?.slice(line.indexOf(':', line.indexOf(':') + 1) + 1);
}

/** The container and unit of a /proc/PID/cgroup text; `{}` for the root cgroup or an unknown layout. */
export function cgroupLabel(text: string): CgroupLabel {
  const path = cgroupPath(text);
  if (!path || path === '/') return {};
  const label: CgroupLabel = {};
  for (const [re, runtime] of CONTAINERS) {
    const m = re.exec(path);
    if (m) {
      const id = m[1]!;
      label.container = `${runtime}:${/^[0-9a-f]+$/.test(id) ? id.slice(0, 12) : id}`;
      break;
    }
  }
  const unit = path
    .split('/')
    .reverse()
    .find((p) => /\.(service|scope)$/.test(p) && !p.startsWith('docker-') && !p.startsWith('libpod-'));
  if (unit && !label.container) label.unit = unit;
  else if (unit && /\.service$/.test(unit)) label.unit = unit;
  return label;
}
