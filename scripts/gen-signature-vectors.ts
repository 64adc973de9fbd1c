// Regenerates packages/core/test-vectors/signature.json from the current implementation:
// `tsx scripts/gen-signature-vectors.ts`. Only run it for a deliberate, documented change of the
// signature spec (it is a breaking change); the core tests check the file byte for byte.
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { computeSignature } from '../packages/core/src/signature.js'

/** A long message stored as a recipe: `prefix` followed by `repeat` written `count` times. */
interface Recipe {
  prefix: string
  repeat: string
  count: number
}

interface VectorInput {
  name: string
  message: string
  recipe?: Recipe
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1)
      if (n >= 0xdc00 && n <= 0xdfff) i++
      else return true
    } else if (c >= 0xdc00 && c <= 0xdfff) return true
  }
  return false
}

/** Hand-picked cases: one group per token class of the spec, then edge cases. */
const HAND: Array<[string, string]> = [
  ['empty', ''],
  ['space only', '   '],
  ['plain words', 'Starting server'],
  ['int', 'retry 3 of 5'],
  ['negative int', 'offset -42 applied'],
  ['float', 'load average 0.75'],
  ['negative float', 'delta -3.25 degrees'],
  ['hex 0x', 'register 0x7ffe3b2a set'],
  ['hex id letters only', 'object deadbeefcafe freed'],
  ['short hex-like word kept', 'added face bead'],
  ['uuid', 'request 550e8400-e29b-41d4-a716-446655440000 done'],
  ['uuid in brackets', '[550e8400-e29b-41d4-a716-446655440000] accepted'],
  ['ipv4', 'connect from 192.168.1.20'],
  ['ipv4 with port', 'listening on 0.0.0.0:8080'],
  ['ipv4 in brackets', 'peer [10.0.0.7] closed'],
  ['ipv6', 'bound to fe80::1ff:fe23:4567:890a'],
  ['ipv6 loopback', 'bound to ::1'],
  ['ipv6 bracket port', 'connect [2001:db8::1]:443'],
  ['ipv6 zone', 'link fe80::1%eth0 up'],
  ['ipv4-mapped ipv6', 'client ::ffff:10.0.0.1 said hi'],
  ['mac address', 'dhcp offer for 00:1a:2b:3c:4d:5e'],
  ['host with port', 'open through proxy proxy.example.com:5070 HTTPS'],
  ['single label host with port', 'redis at localhost:6379 ready'],
  ['fqdn', 'resolved ns1.example.org'],
  ['fqdn no digits', 'resolved mail.example.org quickly'],
  ['two-label name kept', 'loaded chrome.exe'],
  ['email', 'mail sent to alice@example.com.'],
  ['email in angle brackets', 'From: <bob.smith@mail.example.net>'],
  ['url', 'GET https://api.example.com/v1/users?id=7 failed'],
  ['url no digits', 'see http://example.com/docs for help'],
  ['path with digits', 'open /var/data/part-00042 failed'],
  ['path without digits', 'reading /etc/hosts'],
  ['route with id', 'GET /api/users/123/orders 200'],
  ['windows path', 'loaded C:\\Windows\\System32\\kernel32.dll'],
  ['unc path', 'from \\\\?\\GLOBALROOT\\Device\\HarddiskVolumeShadowCopy\\config done'],
  ['path middle segments vary', 'open /Users/alice/Library/Caches/app.db'],
  ['relative path', 'compiled src/lib/util.ts ok'],
  ['slash pair kept', 'I/O error on TCP/IP and/or UDP'],
  ['path after equals', 'path=/var/run/app.pid mode=fast'],
  ['path in parens', 'mounted (/dev/sda) ok'],
  ['compound id with tilde', 'package Package_for_KB2938066~31bf3856ad364e35~amd64~~6.2.1.0 staged'],
  ['compound id tilde letters only', 'pair alpha~beta kept'],
  ['glued key value', 'ApplicableState: 112, CurrentState:112'],
  ['glued key hex value', 'CurrentState:0x0 next words'],
  ['constants differing in one word', 'act=android.intent.action.SCREEN_ON flg=0x10'],
  ['ccTLD host name', 'resolve proxy.cse.cuhk.edu.hk failed'],
  ['config key kept', 'mapred.task.id is deprecated'],
  ['lower case date word kept', 'it may 5 fail'],
  ['iso timestamp', 'at 2024-03-05T12:34:56.789Z job ran'],
  ['iso date', 'backup of 2024-03-05 complete'],
  ['time', 'alarm at 07:30:00 rang'],
  ['syslog date', 'connection at Fri Jul 1 09:24:07 2005 from host'],
  ['month day', 'rotated on Jun 14 15:16:01'],
  ['month name alone kept', 'May I help'],
  ['weekday without number kept', 'see you on Monday then'],
  ['duration ms', 'took 12ms'],
  ['duration s', 'took 3.5s'],
  ['size', 'wrote 10KB'],
  ['size with space unit', 'wrote 10 KB to disk'],
  ['bytes with unit words', '451 bytes sent, 18846 bytes (18.4 KB) received'],
  ['lifetime less than', 'lifetime <1 sec'],
  ['approx number', 'about ~5 items'],
  ['plus number', 'gained +3 points'],
  ['percent', 'cpu at 93% now'],
  ['double quoted', 'file "report.txt" saved'],
  ['single quoted', "device node '/dev/sda1' created"],
  ['backtick quoted', 'column `user_id` missing'],
  ['quoted with spaces is scanned', 'said "hello world 42 times"'],
  ['empty quotes kept', 'name "" is empty'],
  ['apostrophe', "Couldn't authenticate user"],
  ['apostrophe plural', "the users' data 42"],
  ['unclosed quote', 'value "abc never closed'],
  ['quoted key json', '{"user":"bob","id":42,"ok":true}'],
  ['json nested', '{"a":{"b":[1,2,3]},"msg":"done now"}'],
  ['key=value', 'uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4'],
  ['key=value words', 'status=success mode=fast'],
  ['key=value in parens', 'session opened for user root by (uid=0)'],
  ['key=value comma list', 'a=1,b=two;c=3'],
  ['key equals quoted', 'msg="disk full" code=28'],
  ['lone equals', 'log source = /proc/kmsg started.'],
  ['double equals', 'if a==b then'],
  ['user keyword', 'Invalid user webmaster from 173.234.31.186'],
  ['username keyword', 'username alice rejected'],
  ['user keyword at end', 'check pass; user unknown'],
  ['empty parens value', 'connection from 1.2.3.4 () at noon'],
  ['empty brackets value', 'list [] empty'],
  ['function call kept', 'called init() twice'],
  ['collapse spaces', 'ids 1 2 3 4 done'],
  ['collapse punctuation', 'range 10-20, 30/40 ok'],
  ['collapse brackets', 'sent 5 (6) bytes'],
  ['closing bracket kept', 'node [3] [4] up'],
  ['bracket around mask', 'ALERT exited abnormally with [1]'],
  ['trailing dot', 'Detected 731.219 MHz processor.'],
  ['sentence dots', 'Calibrating delay loop... 1445.88 BogoMIPS'],
  ['word with digit', 'protocol ssh2 via PS/2 on x86_64'],
  ['java class', 'Registering class org.apache.hadoop.mapreduce.JobEventDispatcher for class X'],
  ['inner class', 'handler MRAppMaster$JobEventDispatcher'],
  ['block id', 'PacketResponder 1 for block blk_-6952295868487656571 terminating'],
  ['hdfs path', 'allocateBlock: /user/root/rand/_temporary/_task_200811092030_0002_r_000296_0/part-00296'],
  ['hash sign', 'Initializing CPU#0'],
  ['colon key value', 'Notification time out: 3200'],
  ['version', 'running v1.2.3-beta'],
  ['semver plain', 'node 20.11.1 detected'],
  ['tabs and newlines', 'line1\tfield\nline2\r\nend'],
  ['multiple spaces', 'a    b     c'],
  ['leading trailing spaces', '   padded message   '],
  ['nul and controls', 'a\u0000b\u0001c\u001fd\u007fe'],
  ['c1 controls', 'x\u0085y\u009fz'],
  ['nbsp and unicode spaces', 'a\u00a0b\u2003c\u3000d\ufeffe'],
  ['bell and escape', '\u0007\u001b[31mred\u001b[0m text'],
  ['ansi colored number', '\u001b[32m200\u001b[0m OK'],
  ['unicode words', 'Benutzer Jürgen hat sich angemeldet'],
  ['unicode with number', 'Größe 42 überschritten'],
  ['cjk', '用户 42 登录成功'],
  ['cjk no digits', '服务器启动完成'],
  ['arabic', 'تم تسجيل الدخول للمستخدم 7'],
  ['hebrew', 'משתמש 12 התחבר'],
  ['cyrillic', 'Пользователь 5 вошёл'],
  ['emoji', 'deploy 🚀 finished in 3s'],
  ['emoji only', '🔥🔥🔥'],
  ['combining marks', 'cafe\u0301 opened'],
  ['zero width joiner', 'family 👨‍👩‍👧 x 2'],
  ['fullwidth digits', 'count １２３ items'],
  ['lone high surrogate', 'bad \ud800 char'],
  ['lone low surrogate', 'bad \udc00 char'],
  ['lone surrogate in token', 'id x\ud83dy 5'],
  ['reversed pair', 'pair \udc00\ud800 end'],
  ['high surrogate at end', 'ends with \ud83d'],
  ['valid pair', 'astral 😀 ok'],
  ['mask literal in input', 'already <*> masked'],
  ['angle brackets', 'generic List<String> used'],
  ['only punctuation', '!!! ??? ...'],
  ['only digits', '1234567890'],
  ['digits and punctuation', '1,2;3|4'],
  ['sql', "SELECT * FROM users WHERE id = 42 AND name = 'bob'"],
  ['http request line', '10.11.10.1 "GET /v2/servers/detail HTTP/1.1" status: 200 len: 1893 time: 0.2477829'],
  ['stack frame', 'at Object.<anonymous> (/app/index.js:10:15)'],
  ['error with code', 'Error: ECONNREFUSED 127.0.0.1:5432'],
  ['percent format', 'user %s logged in %d times'],
  ['braces format', 'user {} logged in'],
  ['template literal-ish', 'value $' + '{x} here'],
  ['caret and pipes', 'a|b^c~d'],
  ['backslashes', 'escaped \\"quote\\" and \\n'],
  ['question mark query', 'query ?page=3&size=20'],
  ['ampersand values', 'a=1&b=2&c=3'],
  ['hashtag number', 'issue #1234 closed'],
  ['dollar amount', 'charged $19.99'],
  ['currency euro', 'charged 5€'],
  ['date slash', 'on 17/06/09 20:10:40 started'],
  ['date dot', 'on 10.30 16:49:06 started'],
  ['epoch millis', 'ts=1445144423722 received'],
  ['audit', 'audit(1122475266.4294965305:0): initialized'],
  ['mixed case units', 'took 5 Ms and 3 SEC'],
  ['unit without number kept', 'size in KB unknown'],
  ['long word', `token ${'x'.repeat(300)} end`],
  ['long number', `n ${'9'.repeat(300)} end`],
]

/** Deterministic pseudo-random messages (mulberry32) mixing the pieces the scanner cares about. */
function generated(count: number): VectorInput[] {
  let seed = 0x5eed1234
  const rand = (): number => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = seed
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const pieces = [
    'user',
    'login',
    'failed',
    'for',
    'from',
    'port',
    '=',
    ':',
    ',',
    '(',
    ')',
    '[',
    ']',
    '"',
    "'",
    '42',
    '-7',
    '3.14',
    '0xff',
    '10.0.0.1',
    'fe80::1',
    'a@b.co',
    'http://x.io/1',
    '/tmp/a1',
    'Jan',
    'Mon',
    'KB',
    'ms',
    'é',
    '中文',
    '😀',
    '\ud800',
    '\u0000',
    '\t',
    '\n',
    ' ',
    '  ',
    'key=val',
    'x.y.z',
    'host:80',
    'deadbeefdead',
    '<*>',
    '<',
    '>',
    '~',
    '+1',
    '()',
    '{}',
    '$',
    '#',
    'done.',
    'OK',
  ]
  const out: VectorInput[] = []
  for (let i = 0; i < count; i++) {
    const n = 1 + Math.floor(rand() * 12)
    let m = ''
    for (let j = 0; j < n; j++) {
      m += pieces[Math.floor(rand() * pieces.length)]!
      if (rand() < 0.6) m += ' '
    }
    out.push({ name: `generated ${i + 1}`, message: m })
  }
  return out
}

function recipes(): VectorInput[] {
  const list: Array<[string, Recipe]> = [
    ['huge 1 MB of words and numbers', { prefix: 'start ', repeat: 'item 12345 ok ', count: 74_899 }],
    ['huge single token', { prefix: '', repeat: 'a', count: 1_048_576 }],
    ['exactly MAX_SCAN code units', { prefix: '', repeat: 'ab ', count: 1365 }],
    ['MAX_SCAN + 1 code units', { prefix: 'x', repeat: 'ab ', count: 1365 }],
    ['cut inside a surrogate pair', { prefix: 'x', repeat: '😀', count: 2048 }],
    ['cut inside a quote', { prefix: 'q "', repeat: 'z', count: 5000 }],
    ['many unclosed quotes', { prefix: '', repeat: '"a ', count: 2000 }],
    ['many quotes one close', { prefix: '', repeat: ' "x', count: 1300 }],
    ['many date names', { prefix: '', repeat: 'Mon Jan ', count: 600 }],
  ]
  return list.map(([name, r]) => ({ name, message: r.prefix + r.repeat.repeat(r.count), recipe: r }))
}

function buildVectorMessages(): VectorInput[] {
  return [...HAND.map(([name, message]) => ({ name, message })), ...generated(100), ...recipes()]
}

interface VectorCase {
  name: string
  /** The message, when it is short enough to store (lone surrogates appear as \uXXXX escapes). */
  message?: string
  /** How to build a long message: `prefix` + `repeat` × `count`. */
  recipe?: Recipe
  /** UTF-16 code units of `message` in hex, for messages with lone surrogates (some JSON parsers mangle them). */
  utf16?: string
  template: string
  signature: string
}

const cases: VectorCase[] = buildVectorMessages().map((input) => {
  const { signature, template } = computeSignature(input.message)
  // Key order (name, message | recipe, utf16?, template, signature) keeps the file easy to read.
  const c: VectorCase = input.recipe
    ? { name: input.name, recipe: input.recipe, template, signature }
    : { name: input.name, message: input.message, template, signature }
  if (!input.recipe && hasLoneSurrogate(input.message)) {
    const units = Array.from({ length: input.message.length }, (_, i) => input.message.charCodeAt(i))
    return {
      name: c.name,
      message: c.message,
      utf16: units.map((u) => u.toString(16).padStart(4, '0')).join(' '),
      template,
      signature,
    }
  }
  return c
})

const file = resolve(import.meta.dirname, '../packages/core/test-vectors/signature.json')
writeFileSync(file, `${JSON.stringify({ spec: 'docs/signature.md', version: 2, cases }, null, 1)}\n`, 'utf8')
console.log(`wrote ${cases.length} cases to ${file}`)
