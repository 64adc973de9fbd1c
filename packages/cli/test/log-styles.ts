// Text log files in the shapes `logsieve analyze` meets: an OpenStack-style file (ISO time after a file-name
// prefix), a Thunderbird-style syslog, an Apache access log, and lines with no time at all. Generated,
// seeded and deterministic, so tests need nothing beside the repository.

export type LogStyle = 'iso-after-prefix' | 'syslog' | 'apache' | 'no-timestamp'

export interface StyleSpec {
  lines: number
  /** Seconds from the first line to the last. */
  spanSeconds: number
  seed?: number
}

/** A statement of the generated service: its share of lines and how it renders. */
interface Statement {
  weight: number
  render: (r: Random) => string
}

type Random = { int: (n: number) => number; hex: (n: number) => string }

function random(seed: number): Random {
  let s = seed >>> 0
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    int: (n) => Math.floor(next() * n),
    hex: (n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(next() * 16)]).join(''),
  }
}

const uuid = (r: Random) => `${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`
const pad = (n: number, width = 2) => String(n).padStart(width, '0')
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

// Heavy hitters, a middle, rare lines and a few errors: the mix every real service log has.
const OPENSTACK: Statement[] = [
  {
    weight: 60,
    render: (r) =>
      `INFO nova.osapi_compute.wsgi.server [req-${uuid(r)} ${r.hex(32)} ${r.hex(32)} - - -] 10.11.10.1 "GET /v2/${r.hex(32)}/servers/detail HTTP/1.1" status: 200 len: ${1500 + r.int(500)} time: 0.${r.int(9_999_999)}`,
  },
  {
    weight: 15,
    render: (r) =>
      `INFO nova.metadata.wsgi.server [-] 10.11.21.${r.int(255)},10.11.10.1 "GET /openstack/2013-10-17/meta_data.json HTTP/1.1" status: 200 len: ${900 + r.int(100)} time: 0.${r.int(9_999_999)}`,
  },
  {
    weight: 10,
    render: (r) =>
      `INFO nova.compute.manager [req-${uuid(r)} - - - - -] [instance: ${uuid(r)}] VM ${['Started', 'Stopped', 'Paused', 'Resumed'][r.int(4)]} (Lifecycle Event)`,
  },
  {
    weight: 8,
    render: (r) =>
      `INFO nova.virt.libvirt.imagecache [req-${uuid(r)} - - - - -] image ${uuid(r)} at (/var/lib/nova/instances/_base/${r.hex(40)}): checking`,
  },
  {
    weight: 3,
    render: (r) =>
      `WARNING nova.compute.manager [req-${uuid(r)} - - - - -] While synchronizing instance power states, found ${r.int(9)} instances in the database and ${r.int(9)} instances on the hypervisor.`,
  },
  {
    weight: 1,
    render: (r) =>
      `ERROR nova.compute.manager [req-${uuid(r)} - - - - -] [instance: ${uuid(r)}] Instance failed to spawn`,
  },
]

const THUNDERBIRD: Statement[] = [
  { weight: 40, render: (r) => `crond(pam_unix)[${r.int(30_000)}]: session opened for user root by (uid=0)` },
  { weight: 40, render: (r) => `crond(pam_unix)[${r.int(30_000)}]: session closed for user root` },
  { weight: 10, render: (r) => `crond[${r.int(30_000)}]: (root) CMD (run-parts /etc/cron.hourly)` },
  {
    weight: 5,
    render: (r) =>
      `sshd[${r.int(30_000)}]: Accepted publickey for root from 10.100.${r.int(255)}.${r.int(255)} port ${1024 + r.int(60_000)} ssh2`,
  },
  {
    weight: 3,
    render: (r) => `ntpd[${r.int(30_000)}]: synchronized to 10.100.${r.int(255)}.1, stratum ${1 + r.int(3)}`,
  },
  {
    weight: 2,
    render: (r) => `kernel: ib_sm_sweep.c:${1000 + r.int(900)}: ERROR: no sweep for port ${r.int(24)}`,
  },
]

const APACHE: Statement[] = [
  { weight: 50, render: (r) => `"GET /api/items/${r.int(100_000)} HTTP/1.1" 200 ${200 + r.int(4000)}` },
  { weight: 25, render: (r) => `"GET /static/app.${r.hex(8)}.js HTTP/1.1" 304 0` },
  { weight: 15, render: (r) => `"POST /api/cart/${r.int(10_000)}/items HTTP/1.1" 201 ${100 + r.int(300)}` },
  { weight: 8, render: (r) => `"GET /health HTTP/1.1" 200 ${2 + r.int(2)}` },
  { weight: 2, render: (r) => `"GET /api/orders/${r.int(100_000)} HTTP/1.1" 500 ${50 + r.int(50)}` },
]

const PLAIN: Statement[] = [
  { weight: 60, render: (r) => `worker-${r.int(8)} finished job ${r.int(100_000)} in ${r.int(900)} ms` },
  { weight: 25, render: (r) => `queue depth is ${r.int(5000)} after ${r.int(60)} polls` },
  { weight: 10, render: (r) => `cache evicted ${r.int(1000)} keys from shard ${r.int(16)}` },
  { weight: 5, render: (r) => `WARN retrying upload ${r.hex(12)} after ${r.int(30)} s` },
]

/** One deterministic log file of `style`, newline-terminated. */
export function generateLog(style: LogStyle, spec: StyleSpec): string {
  const r = random(spec.seed ?? 14)
  const statements = {
    'iso-after-prefix': OPENSTACK,
    syslog: THUNDERBIRD,
    apache: APACHE,
    'no-timestamp': PLAIN,
  }[style]
  const total = statements.reduce((sum, s) => sum + s.weight, 0)
  const start = Date.UTC(2017, 4, 16, 0, 0, 0)
  const out: string[] = []
  for (let i = 0; i < spec.lines; i++) {
    // Evenly spread over the span, first line at its start and last at its end.
    const at = new Date(start + Math.round((i / Math.max(1, spec.lines - 1)) * spec.spanSeconds * 1000))
    out.push(prefix(style, at, r) + pickStatement(statements, r.int(total)).render(r))
  }
  return `${out.join('\n')}\n`
}

/** The statement whose cumulative weight band holds `ticket` (0 ≤ ticket < total weight). */
function pickStatement(statements: Statement[], ticket: number): Statement {
  let left = ticket
  for (const s of statements) {
    if (left < s.weight) return s
    left -= s.weight
  }
  return statements[statements.length - 1]!
}

function prefix(style: LogStyle, at: Date, r: Random): string {
  const hms = `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`
  const ymd = `${at.getUTCFullYear()}-${pad(at.getUTCMonth() + 1)}-${pad(at.getUTCDate())}`
  switch (style) {
    case 'iso-after-prefix':
      // OpenStack's LogHub shape: the rotated file's name, then the line's own time and pid.
      return `nova-api.log.1.2017-05-16_13:53:08 ${ymd} ${hms}.${pad(at.getUTCMilliseconds(), 3)} ${25_000 + r.int(1000)} `
    case 'syslog': {
      // Thunderbird's shape: alert tag, epoch seconds, dotted date and node before the syslog header.
      const node = `dn${100 + r.int(900)}`
      const day = `${MONTHS[at.getUTCMonth()]} ${String(at.getUTCDate()).padStart(2, ' ')}`
      return `- ${Math.floor(at.getTime() / 1000)} ${ymd.replaceAll('-', '.')} ${node} ${day} ${hms} ${node}/${node} `
    }
    case 'apache':
      return `10.0.${r.int(255)}.${r.int(255)} - - [${pad(at.getUTCDate())}/${MONTHS[at.getUTCMonth()]}/${at.getUTCFullYear()}:${hms} +0000] `
    case 'no-timestamp':
      return ''
  }
}
