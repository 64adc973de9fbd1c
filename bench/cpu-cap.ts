// A CPU quota for benchmark processes (Linux cgroups, v1 `cpu` or v2 `cpu.max`): servers that share this
// 2-core machine each get a fixed slice of a core, as if each ran on a machine of its own of that size.
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const PERIOD_US = 10_000

export interface CpuCap {
  /** Put a process (and the threads it starts later) under the quota. */
  add(pid: number): void
  /** Remove the group; its processes must have exited. */
  remove(): void
}

/** A group capped at `cores` of a core, or why there can be none here. */
export function cpuCap(name: string, cores: number): CpuCap | string {
  const quota = String(Math.round(cores * PERIOD_US))
  const v1 = '/sys/fs/cgroup/cpu'
  const v2 = '/sys/fs/cgroup'
  try {
    if (existsSync(join(v1, 'cpu.cfs_quota_us'))) {
      const dir = join(v1, name)
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US))
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), quota)
      return group(dir)
    }
    if (existsSync(join(v2, 'cgroup.controllers'))) {
      const dir = join(v2, name)
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`)
      return group(dir)
    }
    return 'no cgroup cpu controller mounted at /sys/fs/cgroup'
  } catch (err) {
    return `cannot create a cgroup (${(err as Error).message}); it needs root on Linux`
  }
}

function group(dir: string): CpuCap {
  return {
    add: (pid) => writeFileSync(join(dir, 'cgroup.procs'), String(pid)),
    remove: () => {
      try {
        rmdirSync(dir)
      } catch {
        // Still busy (a process outlived its kill): the next run reuses the same name.
      }
    },
  }
}
