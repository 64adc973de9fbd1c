// Policy generation (DESIGN §6): from fleet-wide pattern rates to per-signature sampling rates under a
// budget. Pure, deterministic, shared by the server and the CLI. The algorithm is documented in
// docs/policy.md; the steps below follow it.

import { MAX_RULES, MAX_TEMPLATE_LENGTH } from './contract.js'
import { patternKey } from './keys.js'
import type { Pin, Projection, Rule, Settings } from './schema.js'
import { LEVEL_NAMES, type LevelName } from './severity.js'
import type { GeneratedPolicy, GeneratorInput, PatternObservation } from './types.js'
import {
  BACKFILL_FIELD_BYTES,
  backfilledPerSecond,
  cappedPerSecond,
  floorPerSecond,
  keptPerSecond,
  samplingFieldBytes,
  writtenBytesPerSecond,
} from './written.js'

export { BACKFILL_FIELD_BYTES, SAMPLE_RATE_FIELD_BYTES, samplingFieldBytes } from './written.js'

/** Lowest rate the generator assigns: 1/1024. Only a pin may drop a pattern entirely. */
export const MIN_RATE = 2 ** -10
const SECONDS_PER_DAY = 86_400
const BYTES_PER_GB = 1e9
const SEARCH_STEPS = 64
/** Boosted (new and anomalous) patterns together may take at most this share of the budget. */
export const BOOST_BUDGET_SHARE = 0.5
/** The lowest per-instance cap a boost is squeezed to: still a line every ten seconds per instance. */
const MIN_BOOST_PER_SECOND = 0.1
/**
 * Steps of the rate grid per halving: rates are 2^(−k/4), so each step is ×1.19. Powers of two alone
 * leave a budget up to half unspent when a few patterns carry most of the volume (a service's usual
 * shape); a quarter step lets the generator come within a few percent of it.
 */
export const RATE_STEPS_PER_HALVING = 4

/** Grid index of a rate: 0 for 1, RATE_STEPS_PER_HALVING for ½, … (fractional off the grid). */
const gridIndex = (rate: number): number => -Math.log2(rate) * RATE_STEPS_PER_HALVING
/** The grid's rate at index k, within [MIN_RATE, 1]. */
const gridRate = (k: number): number =>
  Math.min(1, Math.max(MIN_RATE, 2 ** (-Math.max(0, k) / RATE_STEPS_PER_HALVING)))

/** Nearest rate of the grid (2^(−k/4)) in log space, within [MIN_RATE, 1]. */
export function roundRate(rate: number): number {
  if (!(rate > 0)) return MIN_RATE
  if (rate >= 1) return 1
  return gridRate(Math.round(gridIndex(rate)))
}

/** Smallest rate of the grid ≥ rate, within [MIN_RATE, 1]. */
function ceilRate(rate: number): number {
  if (!(rate > 0)) return MIN_RATE
  if (rate >= 1) return 1
  return gridRate(Math.floor(gridIndex(rate) + 1e-9))
}

/** The grid's next rate up (1 stays 1) and down (MIN_RATE stays MIN_RATE) from a grid rate. */
const stepUp = (rate: number): number => gridRate(Math.round(gridIndex(rate)) - 1)
const stepDown = (rate: number): number => gridRate(Math.round(gridIndex(rate)) + 1)

/** One (signature, level) the generator decides for. */
interface Item {
  p: PatternObservation
  /** Budget units per kept event/s at weight 1: written bytes/day, or 1 for an events/s budget. */
  unit: number
  /** Budget units per byte of a kept line (samplingFieldBytes): 86,400, or 0 for an events/s budget. */
  perByte: number
  /** Water-filling weight of the pattern's level. */
  weight: number
  /**
   * Events/s the SDKs keep whatever the rate: the first `floorPerMinute` lines of the pattern per instance
   * and minute (DESIGN §4, coverage floor). The rate samples only the rest.
   */
  floorEps: number
  /** Lowest rate: MIN_RATE, or with a probabilistic floor the floor's share rounded up to a power of two. */
  min: number
  rate: number
  /** Share of the dropped lines that backfill writes after all (0–1). */
  backfill: number
  /** Boosted patterns: the events/s their maxPerSecond cap lets through fleet-wide. */
  cappedEps?: number
  fixed: boolean
  held: boolean
  rule: Rule
}

/** Sum rates across instances: the generator sees a fleet as one stream per (signature, level). */
function mergeObservations(patterns: PatternObservation[]): PatternObservation[] {
  const byKey = new Map<string, PatternObservation>()
  for (const p of patterns) {
    const eps = Number.isFinite(p.eventsPerSecond) && p.eventsPerSecond > 0 ? p.eventsPerSecond : 0
    const size = Number.isFinite(p.bytesPerEvent) && p.bytesPerEvent > 0 ? p.bytesPerEvent : 0
    const given = p.plainBytesPerEvent
    const plain = given !== undefined && Number.isFinite(given) && given >= 0 ? given : size
    const key = patternKey(p.signature, p.level)
    const seen = byKey.get(key)
    if (seen === undefined) {
      const backfillShare = backfillShareOf(p)
      byKey.set(key, {
        ...p,
        eventsPerSecond: eps,
        bytesPerEvent: size,
        plainBytesPerEvent: plain,
        backfillShare,
      })
      continue
    }
    const total = seen.eventsPerSecond + eps
    const mean = (a: number, b: number) => (total > 0 ? (a * seen.eventsPerSecond + b * eps) / total : b)
    seen.backfillShare = mean(seen.backfillShare ?? 0, backfillShareOf(p))
    seen.bytesPerEvent = mean(seen.bytesPerEvent, size)
    seen.plainBytesPerEvent = mean(seen.plainBytesPerEvent ?? seen.bytesPerEvent, plain)
    seen.eventsPerSecond = total
    seen.firstSeen = Math.min(seen.firstSeen, p.firstSeen)
    seen.anomaly ??= p.anomaly
  }
  return [...byKey.values()]
}

/** A pattern's backfill share within [0, 1]; 0 when missing or not a number. */
const backfillShareOf = (p: PatternObservation): number => {
  const b = p.backfillShare
  return b !== undefined && b > 0 ? Math.min(1, b) : 0
}

function pinFor(pins: Pin[], p: PatternObservation, now: number): Pin | undefined {
  let any: Pin | undefined
  for (const pin of pins) {
    if (pin.signature !== p.signature) continue
    if (pin.expiresAt && Date.parse(pin.expiresAt) <= now) continue
    if (pin.level === p.level) return pin
    if (pin.level === undefined) any ??= pin
  }
  return any
}

/** Budget in the units items are measured in, or undefined for "no budget". */
function budgetUnits(settings: Settings, bytesPerDayBefore: number): number | undefined {
  const b = settings.budget
  if (!b) return undefined
  if ('bytesPerDay' in b) return b.bytesPerDay
  if ('eventsPerSecond' in b) return b.eventsPerSecond
  return (1 - b.reduction) * bytesPerDayBefore
}

/**
 * Rate of a free item at water level c, before hysteresis: its fair share c·weight of events/s, less what
 * the floor already keeps, taken from the sampled rest and rounded.
 */
function rateAt(item: Item, c: number): number {
  const rest = sampledEps(item)
  if (rest <= 0) return 1
  return Math.max(item.min, roundRate(Math.min(1, (c * item.weight - item.floorEps) / rest)))
}

/** A free item at its lowest rate, fixed ones as they are: what the floors alone cost. */
const atMinRate = (it: Item): Item => (it.fixed ? it : { ...it, rate: it.min })

/** Events/s an item's rate applies to: a boost's cap bounds what its rate 1 lets through. */
const keptEps = (it: Item): number => it.cappedEps ?? it.p.eventsPerSecond
/** Events/s left to sample once the floor has kept its lines. */
const sampledEps = (it: Item): number => Math.max(0, keptEps(it) - it.floorEps)
/** Expected kept events/s: the floor's lines, and the rate's share of the rest. */
const keptAt = (it: Item, rate: number): number => keptPerSecond(keptEps(it), it.floorEps, rate)
/** Expected backfilled events/s: the share of the dropped rest that an error in its request brings back. */
const backfilledAt = (it: Item, rate: number): number =>
  backfilledPerSecond(keptEps(it), it.floorEps, it.backfill, rate)

/**
 * Budget units an item costs at `rate`: its kept events/s at their size, `sample_rate` included, and its
 * backfilled ones with their fields: backfill is written bytes too.
 */
const costAt = (it: Item, rate: number): number =>
  keptAt(it, rate) * (it.unit + it.perByte * samplingFieldBytes(rate)) +
  backfilledAt(it, rate) * (it.unit + it.perByte * BACKFILL_FIELD_BYTES)

function cost(items: Item[]): number {
  let total = 0
  for (const it of items) total += costAt(it, it.rate)
  return total
}

/**
 * Generate a policy for one service and environment.
 *
 * @example
 * const { policy, projection } = generatePolicy({ service: 'checkout', environment: 'prod',
 *   patterns, settings: parseSettings({ budget: { bytesPerDay: 5e9 } }).value, now: Date.now() })
 */
export function generatePolicy(input: GeneratorInput): GeneratedPolicy {
  const { settings, now } = input
  const pins = input.pins ?? []
  const instances = Math.max(1, input.instances ?? 1)
  const patterns = mergeObservations(input.patterns)
  const byEvents = settings.budget != null && 'eventsPerSecond' in settings.budget
  const floorPerMinute = Math.min(1000, Math.ceil(Math.max(0, settings.floorPerMinute)))
  // Every instance keeps its first lines of a pattern each minute; assume each instance sees each pattern.
  const floorEps = (floorPerMinute * instances) / 60
  const alwaysKeep = new Set<LevelName>([...settings.alwaysKeep, 'error', 'fatal'])
  const boostMs = settings.boostSeconds * 1000
  const baselineUntil = (input.knownSince ?? Number.NEGATIVE_INFINITY) + settings.baselineSeconds * 1000
  const previous = new Map<string, Rule>()
  for (const r of input.previous?.rules ?? []) previous.set(patternKey(r.signature, r.level), r)

  const items: Item[] = patterns.map((p) => {
    const eps = p.eventsPerSecond
    const rule: Rule = { signature: p.signature, level: p.level, rate: 1, reason: 'budget' }
    if (p.template) rule.template = p.template.slice(0, MAX_TEMPLATE_LENGTH)
    const item: Item = {
      p,
      unit: byEvents ? 1 : p.bytesPerEvent * SECONDS_PER_DAY,
      perByte: byEvents ? 0 : SECONDS_PER_DAY,
      weight: settings.levelWeights[p.level] ?? 1,
      backfill: p.backfillShare ?? 0,
      floorEps: floorPerSecond(eps, floorPerMinute, instances),
      min: MIN_RATE,
      rate: 1,
      fixed: true,
      held: false,
      rule,
    }
    const pin = pinFor(pins, p, now)
    if (p.level === 'error' || p.level === 'fatal') {
      rule.reason = 'level' // never sampled, whatever a pin says
    } else if (pin) {
      // A pin overrides even an always-kept warn: that is how people silence known warning noise.
      item.rate = pin.rate
      rule.reason = 'pin'
      if (pin.expiresAt) rule.expiresAt = pin.expiresAt
    } else if (alwaysKeep.has(p.level)) {
      rule.reason = 'level'
    } else if (p.anomaly || (now - p.firstSeen < boostMs && p.firstSeen > baselineUntil)) {
      rule.reason = p.anomaly ? 'anomaly' : 'new'
      rule.maxPerSecond = settings.boostMaxPerSecond
      item.cappedEps = cappedPerSecond(eps, settings.boostMaxPerSecond, instances, item.floorEps)
      rule.expiresAt = new Date(now + boostMs).toISOString()
    } else {
      item.fixed = false
    }
    return item
  })
  const free = items.filter((it) => !it.fixed)

  // "Before" is what the plain logger would write (every saving is against it); the budget buys written
  // bytes, Logsieve's fields included.
  let bytesBefore = 0
  let writtenBefore = 0
  let eventsBefore = 0
  for (const it of items) {
    bytesBefore += it.p.eventsPerSecond * (it.p.plainBytesPerEvent ?? it.p.bytesPerEvent) * SECONDS_PER_DAY
    writtenBefore += it.p.eventsPerSecond * it.p.bytesPerEvent * SECONDS_PER_DAY
    eventsBefore += it.p.eventsPerSecond
  }
  const budget = budgetUnits(settings, bytesBefore)
  const fixed = items.filter((it) => it.fixed)
  if (budget !== undefined) shareBoosts(items, budget * BOOST_BUDGET_SHARE, instances)
  let guaranteedFloor = floorPerMinute
  if (budget !== undefined && floorEps > 0) {
    const fleetFloor = Math.max(0, settings.floorPerMinute) / 60
    const guaranteed = cost(items.map(atMinRate))
    const fleet = cost(items.map((it) => withFleetFloor(it, fleetFloor, instances)))
    // Per-instance floors are the better guarantee; give them up only when they, not the budget, are the
    // problem: a fleet of browser tabs where they cost more than the budget and floors in the rates do not
    // (or cost well less).
    if (!(guaranteed <= budget || (fleet > budget && guaranteed <= fleet * 1.25))) {
      guaranteedFloor = 0
      for (const it of items) Object.assign(it, withFleetFloor(it, fleetFloor, instances))
    }
  }
  const fixedCost = cost(fixed)

  // Water-filling: the largest cap c whose rounded allocation fits what the fixed items leave.
  let cap = 0
  let overBudget = false
  let maxLevel = 0
  for (const it of free) maxLevel = Math.max(maxLevel, it.p.eventsPerSecond / it.weight)
  if (budget === undefined) {
    cap = maxLevel
    for (const it of free) it.rate = 1
  } else {
    for (const it of free) it.rate = it.min
    const room = budget - fixedCost
    if (room < cost(free)) {
      overBudget = true
    } else {
      let lo = 0
      let hi = maxLevel * 2 + 1
      for (let i = 0; i < SEARCH_STEPS; i++) {
        const mid = (lo + hi) / 2
        let total = 0
        for (const it of free) total += costAt(it, rateAt(it, mid))
        if (total <= room) lo = mid
        else hi = mid
      }
      cap = lo
      for (const it of free) it.rate = rateAt(it, cap)
      applyHysteresis(free, previous)
      fitBudget(free, room)
      fillBudget(free, room)
    }
  }

  for (const it of items) it.rule.rate = it.rate
  for (const it of free) {
    // The floor, not the rate, carries a pattern whose fair share it already covers.
    it.rule.reason =
      it.rate === it.min && it.rate < 1 && (it.floorEps > 0 || it.min > MIN_RATE) ? 'floor' : 'budget'
  }
  const rules = items.map((it) => it.rule)
  // Pins on signatures without observations still apply.
  const seenKeys = new Set(items.map((it) => patternKey(it.p.signature, it.p.level)))
  for (const pin of pins) {
    if (pin.expiresAt && Date.parse(pin.expiresAt) <= now) continue
    if (pin.level !== undefined && seenKeys.has(patternKey(pin.signature, pin.level))) continue
    if (pin.level === undefined && items.some((it) => it.p.signature === pin.signature)) continue
    const rule: Rule = { signature: pin.signature, rate: pin.rate, reason: 'pin' }
    if (pin.level !== undefined) {
      rule.level = pin.level
      if (pin.level === 'error' || pin.level === 'fatal') rule.rate = 1
    }
    if (pin.expiresAt) rule.expiresAt = pin.expiresAt
    rules.push(rule)
  }
  if (rules.length > MAX_RULES) keepLoudest(rules, items, byEvents)

  let bytesAfter = 0
  let eventsAfter = 0
  for (const it of items) {
    const flow = {
      eventsPerSecond: keptEps(it),
      floorPerSecond: it.floorEps,
      bytesPerEvent: it.p.bytesPerEvent,
      backfillShare: it.backfill,
    }
    bytesAfter += writtenBytesPerSecond(flow, it.rate) * SECONDS_PER_DAY
    eventsAfter += keptAt(it, it.rate) + backfilledAt(it, it.rate)
  }
  const budgetBytes =
    budget === undefined
      ? null
      : byEvents
        ? eventsBefore > 0
          ? (budget * writtenBefore) / eventsBefore
          : 0
        : budget
  const projection: Projection = {
    bytesPerDayBefore: bytesBefore,
    bytesPerDayAfter: bytesAfter,
    eventsPerSecondBefore: eventsBefore,
    eventsPerSecondAfter: eventsAfter,
    costPerDayBefore: (bytesBefore / BYTES_PER_GB) * settings.costPerGB,
    costPerDayAfter: (bytesAfter / BYTES_PER_GB) * settings.costPerGB,
    budgetBytesPerDay: budgetBytes,
    overBudget,
  }
  const levels: Partial<Record<LevelName, number>> = {}
  for (const l of LEVEL_NAMES) if (alwaysKeep.has(l)) levels[l] = 1
  return {
    policy: {
      service: input.service,
      environment: input.environment,
      source: 'generated',
      refreshSeconds: settings.refreshSeconds,
      defaults: {
        levels,
        newPattern: { rate: 1, maxPerSecond: settings.boostMaxPerSecond },
        alwaysKeep: LEVEL_NAMES.filter((l) => alwaysKeep.has(l)),
        floorPerMinute: guaranteedFloor,
      },
      rules,
      projection,
    },
    projection,
    overBudget,
    cap,
  }
}

/**
 * Cut the rules to MAX_RULES by volume, never by signature order: pins (set by people) first, then the
 * patterns with the most bytes (events for an events budget); the quietest lose their rules.
 */
function keepLoudest(rules: Rule[], items: Item[], byEvents: boolean): void {
  const volume = new Map<Rule, number>()
  for (const it of items) {
    const eps = it.p.eventsPerSecond
    volume.set(it.rule, byEvents ? eps : eps * it.p.bytesPerEvent)
  }
  const rank = (r: Rule) => (r.reason === 'pin' ? Number.POSITIVE_INFINITY : (volume.get(r) ?? 0))
  rules.sort((a, b) => {
    const x = rank(a)
    const y = rank(b)
    return x > y ? -1 : x < y ? 1 : 0
  })
  rules.length = MAX_RULES
}

/**
 * The item with the floor moved into its rate, for fleets (thousands of browser tabs) where per-instance
 * floors cost more than the budget: no SDK floor, and a lowest rate high enough that the fleet keeps
 * `fleetFloor` lines/s of the pattern in expectation. Free items are at that lowest rate.
 */
function withFleetFloor(it: Item, fleetFloor: number, instances: number): Item {
  const eps = it.p.eventsPerSecond
  const min = eps > 0 ? ceilRate(Math.min(1, fleetFloor / eps)) : 1
  const cap = it.rule.maxPerSecond
  const cappedEps =
    it.cappedEps !== undefined && cap !== undefined ? Math.min(eps, cap * instances) : it.cappedEps
  return { ...it, floorEps: 0, min, cappedEps, rate: it.fixed ? it.rate : min }
}

/**
 * A burst on a fleet is boosted on every instance, so per-instance caps let through boostMaxPerSecond ×
 * instances: on 20 instances a single burst could take several budgets. Lower the boosts' common
 * per-instance cap (max-min fair, like water-filling) until together they fit `allowance`.
 */
function shareBoosts(items: Item[], allowance: number, instances: number): void {
  const boosts = items.filter((it) => it.cappedEps !== undefined && it.rule.maxPerSecond !== undefined)
  if (boosts.length === 0) return
  const capped = (it: Item, perInstance: number) =>
    cappedPerSecond(it.p.eventsPerSecond, perInstance, instances, it.floorEps)
  const costAt = (perInstance: number) => {
    let total = 0
    for (const it of boosts) total += capped(it, perInstance) * it.unit
    return total
  }
  // A loop, not Math.max(...): a spread of a huge argument list overflows the stack.
  let max = 0
  for (const it of boosts) max = Math.max(max, it.rule.maxPerSecond as number)
  if (costAt(max) <= allowance) return
  let lo = MIN_BOOST_PER_SECOND
  let hi = max
  for (let i = 0; i < SEARCH_STEPS && costAt(lo) <= allowance; i++) {
    const mid = (lo + hi) / 2
    if (costAt(mid) <= allowance) lo = mid
    else hi = mid
  }
  // Two significant digits, rounded down so the rounding cannot overshoot.
  const digits = 10 ** (Math.floor(Math.log10(lo)) - 1)
  const perInstance = Math.max(MIN_BOOST_PER_SECOND, Math.floor(lo / digits) * digits)
  for (const it of boosts) {
    if ((it.rule.maxPerSecond as number) <= perInstance) continue
    it.rule.maxPerSecond = perInstance
    it.cappedEps = capped(it, perInstance)
  }
}

/**
 * Keep the previous generated rate when the new one is its neighbour on the grid: a pattern whose share
 * sits on a step's edge does not flip at every generation.
 */
function applyHysteresis(free: Item[], previous: Map<string, Rule>): void {
  for (const it of free) {
    const prev = previous.get(patternKey(it.p.signature, it.p.level))
    if (prev === undefined || (prev.reason !== 'budget' && prev.reason !== 'floor')) continue
    if (prev.rate < it.min || prev.rate > 1 || roundRate(prev.rate) !== prev.rate) continue
    const steps = Math.abs(Math.round(gridIndex(prev.rate)) - Math.round(gridIndex(it.rate)))
    if (steps === 1) {
      it.rate = prev.rate
      it.held = true
    }
  }
}

/** Rounding up and hysteresis can overshoot: step the largest contributors down until the total fits. */
function fitBudget(free: Item[], room: number): void {
  let total = cost(free)
  if (total <= room) return
  // Items holding a rate above their fresh share give it back first: the budget demands it.
  const order = [...free].sort(
    (a, b) =>
      Number(b.held) - Number(a.held) || b.rate * sampledEps(b) * b.unit - a.rate * sampledEps(a) * a.unit,
  )
  while (total > room) {
    let changed = false
    for (const it of order) {
      if (total <= room) break
      const lower = stepDown(it.rate)
      if (lower < it.min || lower === it.rate) continue
      total -= costAt(it, it.rate) - costAt(it, lower)
      it.rate = lower
      changed = true
    }
    if (!changed) break
  }
}

/** Spend what rounding down left: step the smallest kept streams up first (max-min fair) while it fits. */
function fillBudget(free: Item[], room: number): void {
  let total = cost(free)
  // A rate climbs at most 10 × RATE_STEPS_PER_HALVING steps (1/1024 → 1): a pass per step is enough.
  for (let pass = 0; pass < 10 * RATE_STEPS_PER_HALVING; pass++) {
    let changed = false
    const order = [...free].sort((a, b) => keptAt(a, a.rate) - keptAt(b, b.rate))
    for (const it of order) {
      if (it.rate >= 1 || it.held) continue
      const higher = stepUp(it.rate)
      const extra = costAt(it, higher) - costAt(it, it.rate)
      if (total + extra > room) continue
      it.rate = higher
      total += extra
      changed = true
    }
    if (!changed) break
  }
}
