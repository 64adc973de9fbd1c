// Counts the records the BatchLogRecordProcessor drops when its queue is full. The processor reports them
// only through its self-observability meter (`otel.sdk.processor.log.processed` with
// `error.type=queue_full`), so we hand it a tiny MeterProvider that counts just that, instead of reaching
// into its private queue or pulling in the metrics SDK.
import {
  type Attributes,
  type Counter,
  createNoopMeter,
  type Meter,
  type MeterProvider,
} from '@opentelemetry/api'

const PROCESSED_METRIC = 'otel.sdk.processor.log.processed'

export interface QueueDropCounter {
  readonly meterProvider: MeterProvider
  dropped(): number
}

export function createQueueDropCounter(): QueueDropCounter {
  let dropped = 0
  const noop = createNoopMeter()
  const counter: Counter = {
    add(value: number, attributes?: Attributes) {
      if (attributes?.['error.type'] === 'queue_full') dropped += value
    },
  }
  const meter: Meter = Object.create(noop, {
    createCounter: {
      value: (name: string) => (name === PROCESSED_METRIC ? counter : noop.createCounter(name)),
    },
  })
  return {
    meterProvider: { getMeter: () => meter },
    dropped: () => dropped,
  }
}
