// GET /api/orders?id=… — an App Router route handler wrapped by sieve.route().
import { log, sieve } from '../../../lib/log'
import { findOrder } from '../../../lib/orders'

export const runtime = 'nodejs'

export const GET = sieve.route(async (request: Request) => {
  const id = new URL(request.url).searchParams.get('id')
  log.debug('looking up order %s', id)
  if (!id) {
    log.error('missing order id') // the debug line above is written first (backfill)
    return Response.json({ error: 'id required' }, { status: 400 })
  }
  // Throws for an id the store rejects: onRequestError (instrumentation.ts) logs it in this request's trace.
  const order = await findOrder(id)
  log.info('order %s served', id)
  return Response.json(order)
})
