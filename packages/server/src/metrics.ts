// Prometheus text exposition of a handful of counters and gauges, kept by hand: a few Map increments
// per request cost less than a metrics library on the 304 hot path.

type Labels = Record<string, string>

const escapeLabel = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
const labelText = (labels: Labels): string => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

interface Family {
  help: string
  type: 'counter' | 'gauge'
  values: Map<string, number>
}

export class Metrics {
  private readonly families = new Map<string, Family>()

  constructor() {
    this.define('logsieve_http_requests_total', 'counter', 'HTTP requests by method and status.')
    this.define('logsieve_stats_batches_total', 'counter', 'Stats batches accepted.')
    this.define('logsieve_stats_patterns_total', 'counter', 'Pattern rows accepted in stats batches.')
    this.define('logsieve_stats_rejected_total', 'counter', 'Stats batches rejected, by error code.')
    this.define('logsieve_policy_generations_total', 'counter', 'Policy generations, by result.')
    this.define(
      'logsieve_generation_worker_jobs_total',
      'counter',
      'Generations run whole on the generation worker thread (SQLite services with many patterns).',
    )
    this.define('logsieve_patterns', 'gauge', 'Known patterns per service and environment.')
    this.define(
      'logsieve_observed_bytes_per_day',
      'gauge',
      'Observed log volume per service (before sampling).',
    )
    this.define(
      'logsieve_projected_bytes_per_day',
      'gauge',
      'Projected log volume per service under its policy.',
    )
    this.define(
      'logsieve_budget_bytes_per_day',
      'gauge',
      'Budget per service in bytes/day (events/s and reduction budgets converted); absent without a budget.',
    )
    this.define('logsieve_sse_subscribers', 'gauge', 'Open policy streams.')
    this.define(
      'logsieve_overflow_lines_total',
      'counter',
      'Lines of patterns past maxPatternsPerService, per service and environment (counted, no rule).',
    )
  }

  private define(name: string, type: Family['type'], help: string): void {
    this.families.set(name, { help, type, values: new Map() })
  }

  private readonly requests = new Map<string, number>()

  /** Count one HTTP request. Label text is built at render time: this runs on every request. */
  request(method: string, status: number): void {
    const k = `${method} ${status}`
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1)
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const f = this.families.get(name)
    if (!f) return
    const k = labelText(labels)
    f.values.set(k, (f.values.get(k) ?? 0) + by)
  }

  set(name: string, labels: Labels, value: number): void {
    this.families.get(name)?.values.set(labelText(labels), value)
  }

  render(): string {
    const http = this.families.get('logsieve_http_requests_total')!
    for (const [k, v] of this.requests) {
      const [method, status] = k.split(' ') as [string, string]
      http.values.set(labelText({ method, status }), v)
    }
    let out = ''
    for (const [name, f] of this.families) {
      out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n`
      for (const [labels, v] of f.values) out += `${name}${labels} ${v}\n`
    }
    return out
  }
}
