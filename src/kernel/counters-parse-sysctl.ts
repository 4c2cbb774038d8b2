/**
 * The TCP sysctls that explain the counters, and the parser of one sysctl file's text (pure).
 * @see Documentation/networking/ip-sysctl.rst
 */

/** A sysctl's value: one number, several (`ip_local_port_range`, `tcp_mem`), or text. */
export type SysctlValue = number | number[] | string;

/** The sysctls read by default, by their dotted names (`sysctl` prints them so). */
export const TCP_SYSCTLS: readonly string[] = [
  'net.ipv4.tcp_syncookies',
  'net.ipv4.tcp_max_syn_backlog',
  'net.core.somaxconn',
  'net.ipv4.tcp_synack_retries',
  'net.ipv4.tcp_syn_retries',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_tw_reuse',
  'net.ipv4.tcp_max_tw_buckets',
  'net.ipv4.tcp_max_orphans',
  'net.ipv4.tcp_orphan_retries',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_mem',
];

/**
 * The sysctls the kernel keeps for the whole host (net/ipv4/sysctl_net_ipv4.c `ipv4_table`, not the
 * per-namespace `ipv4_net_table`): /proc/sys shows them in the first namespace only.
 */
export const HOST_WIDE_SYSCTLS: readonly string[] = ['net.ipv4.tcp_mem', 'net.ipv4.tcp_max_orphans'];

/** The file under /proc/sys that holds a dotted sysctl name. */
export function sysctlPath(name: string): string {
  return name.replaceAll('.', '/');
}

/** A sysctl file's text: integers become numbers (several of them an array), anything else stays text. */
export function parseSysctlValue(text: string): SysctlValue {
  const t = text.trim();
  const words = t === '' ? [] : t.split(/\s+/);
  if (words.length === 0 || !words.every((w) => /^-?\d+$/.test(w))) return t;
  const nums = words.map(Number);
  return nums.length === 1 ? nums[0]! : nums;
}
