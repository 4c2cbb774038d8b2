// Turns scrapes of /metrics (DIR/1.prom, 2.prom, ... 15 s apart) into a promtool test file on which no alert fires:
// one line per series with its values in order, `_` where a scrape lacked it. Only the families the
// alert rules read are kept. Used by record-healthy.sh.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.prom'))
  .sort((a, b) => Number.parseInt(a) - Number.parseInt(b));
const KEEP =
  /^(node_tcp_connection_states|node_netstat_\w+|tcpscope_netstat_total|tcpscope_listen_\w+|tcpscope_listener_info|tcpscope_ports_in_use|tcpscope_ephemeral_ports|tcpscope_close_wait_stayed|tcpscope_syn_sent_stayed|tcpscope_connect_failures_total|tcpscope_finding|tcpscope_build_info)\b/;
const series = new Map();
files.forEach((f, i) => {
  for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
    if (line === '' || line.startsWith('#') || !KEEP.test(line)) continue;
    const cut = line.lastIndexOf(' ');
    const name = line.slice(0, cut);
    if (name.startsWith('tcpscope_netstat_total') && !/name="(ActiveOpens|TCPLossProbes)"/.test(name)) continue;
    let v = series.get(name);
    if (!v) {
      v = new Array(files.length).fill('_');
      series.set(name, v);
    }
    v[i] = line.slice(cut + 1);
  }
});
const withInstance = (name) => {
  const brace = name.indexOf('{');
  if (brace < 0) return `${name}{instance="healthy:9466",job="tcpscope"}`;
  return `${name.slice(0, brace)}{instance="healthy:9466",job="tcpscope",${name.slice(brace + 1)}`;
};
const rules = readFileSync(new URL('../tcpscope.rules.yml', import.meta.url), 'utf8');
const alerts = [...rules.matchAll(/^\s+- alert: (\w+)$/gm)].map((m) => m[1]);
const minutes = Math.floor((files.length * 15) / 60);
const out = [
  '# A busy healthy host, recorded by record-healthy.sh (one scrape every 15 s): no alert may fire.',
  'rule_files:',
  '  - ../tcpscope.rules.yml',
  'evaluation_interval: 15s',
  'tests:',
  '  - interval: 15s',
  '    input_series:',
];
for (const [name, values] of [...series].sort()) {
  out.push(`      - series: '${withInstance(name).replace(/'/g, "''")}'`);
  out.push(`        values: '${values.join(' ')}'`);
}
out.push('    alert_rule_test:');
for (const at of [Math.min(5, minutes), Math.min(11, minutes), minutes])
  for (const a of alerts) out.push(`      - eval_time: ${at}m`, `        alertname: ${a}`, '        exp_alerts: []');
process.stdout.write(`${out.join('\n')}\n`);
