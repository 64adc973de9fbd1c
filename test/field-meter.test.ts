// The field test's meter: Σ sample_rate of written lines against the shadow's calls, over the whole run
// and up to each statement's last written line (where the drops after it are in no weight yet).
import { expect, it } from 'vitest'
import { FieldMeter, winstonLevel } from '../scripts/lib/field-meter.js'

const line = (o: Record<string, unknown>) => `${JSON.stringify(o)}\n`

it('separates the weights from the drops after a statement’s last kept line', () => {
  const meter = new FieldMeter(winstonLevel)
  // 1,000 calls of one statement; every 10th kept, standing for itself and the 9 dropped before it.
  for (let i = 1; i <= 1000; i++) {
    meter.shadow(line({ level: 'debug', message: `step ${i} done` }))
    if (i % 10 === 0 && i <= 950)
      meter.kept(line({ level: 'debug', message: `step ${i} done`, sample_rate: 10 }))
  }
  // A backfilled line weighs 0: it was counted among the drops of the next kept line.
  meter.kept(line({ level: 'debug', message: 'step 999 done', sample_rate: 0, backfilled: true }))
  // The last kept line was call 950: the 50 after it are missing from the weights, nothing else.
  expect(meter.countError()).toBeCloseTo(0.05, 5)
  expect(meter.countErrorToLastKept()).toBe(0)
  // The last call kept: it stands for the 50 since call 950, and both figures agree.
  meter.kept(line({ level: 'debug', message: 'step 1000 done', sample_rate: 50 }))
  expect(meter.countError()).toBe(0)
  expect(meter.countErrorToLastKept()).toBe(0)
  // A weight too many (a backfilled line counted as 1, the old bug) shows in both.
  meter.kept(line({ level: 'debug', message: 'step 998 done', backfilled: true }))
  expect(meter.countErrorToLastKept()).toBeCloseTo(1 / 1000, 5)
  expect(meter.countError()).toBeCloseTo(1 / 1000, 5)
})
