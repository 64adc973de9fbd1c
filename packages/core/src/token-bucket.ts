// Token buckets for `maxPerSecond` caps: one per signature, in a bounded map so a flood of distinct
// signatures cannot grow memory.

/** A classic token bucket: `rate` tokens per second, at most `burst` held (full at creation). */
export interface TokenBucket {
  tokens: number
  /** ms of the last refill. */
  last: number
  rate: number
  burst: number
}

/** A full bucket; the burst defaults to one second's tokens (at least 1). */
export function createTokenBucket(
  ratePerSecond: number,
  now: number,
  burst = Math.max(1, ratePerSecond),
): TokenBucket {
  return { tokens: burst, last: now, rate: ratePerSecond, burst }
}

/** Take one token if there is one. Refills lazily from the elapsed time, so no timers. */
export function takeToken(bucket: TokenBucket, now: number): boolean {
  const elapsed = now - bucket.last
  if (elapsed > 0) {
    bucket.tokens = Math.min(bucket.burst, bucket.tokens + (elapsed * bucket.rate) / 1000)
    bucket.last = now
  } else if (elapsed < 0) {
    // The clock went backwards: restart the refill from here rather than starving the bucket.
    bucket.last = now
  }
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1
    return true
  }
  return false
}

export interface BucketMap {
  /** True when a line of `key`, capped at `ratePerSecond`, may be kept now. */
  take(key: string, ratePerSecond: number, now: number): boolean
  clear(): void
}

/**
 * Buckets keyed by signature, at most `capacity` of them. When full, the map is cleared: the buckets
 * that matter refill within a second anyway, and clearing is O(1) amortized where LRU bookkeeping would
 * cost on every call of the hot path.
 */
export function createBucketMap(capacity = 4096): BucketMap {
  const map = new Map<string, TokenBucket>()
  return {
    take(key, ratePerSecond, now) {
      let bucket = map.get(key)
      if (bucket === undefined || bucket.rate !== ratePerSecond) {
        if (bucket === undefined && map.size >= capacity) map.clear()
        bucket = createTokenBucket(ratePerSecond, now)
        map.set(key, bucket)
      }
      return takeToken(bucket, now)
    },
    clear: () => map.clear(),
  }
}
