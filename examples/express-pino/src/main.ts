// `pnpm start`: run the shop on PORT (default 3000). LOGSIEVE_URL / LOGSIEVE_KEY point at a policy server.
import { createShop } from './app.js'

const { app, sieve } = createShop()
const server = app.listen(Number(process.env.PORT ?? 3000), () => {
  process.stdout.write(`shop listening on ${JSON.stringify(server.address())}\n`)
})
process.once('SIGTERM', () => server.close(() => void sieve.shutdown()))
process.once('SIGINT', () => server.close(() => void sieve.shutdown()))
