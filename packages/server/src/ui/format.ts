// How numbers read on the dashboard: bytes, money, rates, ages.

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']

/** 1234567 → "1.23 MB" (decimal units, as log vendors bill). */
export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '–'
  const sign = n < 0 ? '-' : ''
  let v = Math.abs(n)
  let u = 0
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000
    u++
  }
  return `${sign}${u === 0 ? Math.round(v) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${UNITS[u]}`
}

export function money(n: number): string {
  return `$${n < 100 ? n.toFixed(2) : Math.round(n).toLocaleString('en-US')}`
}

/** Lines per second with a sensible number of digits. */
export function perSecond(n: number): string {
  if (n === 0) return '0'
  if (n < 0.01) return n.toExponential(1)
  return n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US')
}

/** A sampling rate as a fraction people read: 1, 1/10, 1/250. */
export function rate(r: number): string {
  if (r >= 1) return '1'
  if (r <= 0) return '0'
  const inv = 1 / r
  return Math.abs(inv - Math.round(inv)) < 0.05 ? `1/${Math.round(inv)}` : r.toPrecision(2)
}

export function percent(x: number): string {
  return `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`
}

/** "3 min ago", "2 h ago", "5 d ago". */
export function age(fromMs: number, nowMs: number): string {
  const s = Math.max(0, (nowMs - fromMs) / 1000)
  if (s < 60) return `${Math.round(s)} s ago`
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`
  return `${Math.round(s / 86_400)} d ago`
}

/** ISO time shortened to minutes, UTC. */
export const when = (iso: string): string => `${iso.slice(0, 16).replace('T', ' ')} UTC`
