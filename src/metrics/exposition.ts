/**
 * The Prometheus text exposition format, version 0.0.4: one `# HELP` and `# TYPE` per family, then
 * its samples, label values escaped (backslash, double quote, line feed) and HELP text escaped
 * (backslash, line feed). Pure: families in, text out.
 */

export type MetricType = 'counter' | 'gauge' | 'untyped';

export type Labels = Readonly<Record<string, string>>;

export interface MetricSample {
  labels?: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  help: string;
  samples: MetricSample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Number.POSITIVE_INFINITY) return '+Inf';
  if (v === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(v);
}

/** The families as the text format; a family with no samples is still declared. */
export function exposition(families: readonly MetricFamily[]): string {
  const out: string[] = [];
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`bad metric name ${f.name}`);
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`);
    for (const s of f.samples) {
      const labels = s.labels ? Object.entries(s.labels) : [];
      if (labels.length === 0) {
        out.push(`${f.name} ${formatValue(s.value)}`);
        continue;
      }
      const parts = labels.map(([k, v]) => {
        if (!LABEL.test(k)) throw new Error(`bad label name ${k}`);
        return `${k}="${escapeLabel(v)}"`;
      });
      out.push(`${f.name}{${parts.join(',')}} ${formatValue(s.value)}`);
    }
  }
  out.push('');
  return out.join('\n');
}
