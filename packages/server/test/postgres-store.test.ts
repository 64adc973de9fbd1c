// The Store contract against the real PostgreSQL: a fresh database per test, dropped afterwards.
import { PostgresStore } from '../src/store/postgres.js'
import { createTestDatabase, pgSkipReason } from './pg.js'
import { storeContract } from './store-contract.js'

storeContract(
  'PostgreSQL',
  {
    async open() {
      const db = await createTestDatabase()
      return { store: await PostgresStore.open(db.url), dispose: db.drop }
    },
  },
  await pgSkipReason(),
)
