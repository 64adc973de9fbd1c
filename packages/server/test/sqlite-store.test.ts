// The Store contract against SQLite: a fresh database file per test.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../src/store/sqlite.js'
import { storeContract } from './store-contract.js'

storeContract('SQLite', {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'logsieve-store-'))
    return {
      store: new SqliteStore(join(dir, 'test.db')),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    }
  },
})
