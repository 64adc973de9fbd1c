import { describe, expect, it } from 'vitest'
import { parseLine } from './line-parse.js'
import { findLineTime } from './line-time.js'

const at = (iso: string) => Date.parse(iso)

describe('findLineTime', () => {
  it('reads the common text-log timestamps, wherever they start near the beginning', () => {
    const cases: Array<[string, string]> = [
      [
        '2017-05-16 00:00:00.008 2931 INFO nova.osapi_compute.wsgi.server GET /v2',
        '2017-05-16T00:00:00.008Z',
      ],
      [
        'nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 2931 INFO nova.osapi_compute.wsgi.server',
        '2017-05-16T00:00:00.008Z',
      ],
      ['2024-05-01T12:00:00,123+02:00 WARN disk', '2024-05-01T10:00:00.123Z'],
      ['[2024-05-01 12:00:00] ERROR x', '2024-05-01T12:00:00Z'],
      ['127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200', '2000-10-10T20:55:36Z'],
      ['Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure', '2026-06-14T15:16:01Z'],
      [
        '- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed',
        '2026-11-09T12:01:01Z',
      ],
      ['[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok', '2005-12-04T04:47:44Z'],
      ['17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered', '2017-06-09T20:10:40Z'],
      ['081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1', '2008-11-09T20:36:15Z'],
      ['[10.30 16:49:06] chrome.exe - proxy.example.org:5070 open through proxy', '2026-10-30T16:49:06Z'],
    ]
    for (const [line, iso] of cases) expect(findLineTime(line, 2026), line).toBe(at(iso))
  })

  it('finds nothing in lines without a time, far from the start, or with impossible fields', () => {
    expect(findLineTime('just words 12:00')).toBeUndefined()
    expect(findLineTime(`${'x'.repeat(120)} 2024-05-01 12:00:00 late`)).toBeUndefined()
    expect(findLineTime('2024-13-01 12:00:00 month thirteen')).toBeUndefined()
    expect(findLineTime('2024-05-01 25:00:00 hour twenty-five')).toBeUndefined()
    expect(findLineTime('version 1.2.3 build 20240501 123456789')).toBeUndefined()
  })

  it('is what parseLine reports for text lines', () => {
    expect(parseLine('Jun 14 15:16:01 combo sshd[1]: INFO ready').time).toBe(
      findLineTime('Jun 14 15:16:01 combo sshd[1]: INFO ready'),
    )
  })
})
