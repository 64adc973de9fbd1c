// The dashboard's static files, served from the server itself (nothing from outside): our stylesheet
// and scripts, and uPlot from its npm package. Read once, on first request.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Context } from 'hono'

interface Asset {
  type: string
  body: string
}

// From source: ./assets/ beside this file; from the built package (one bundled file): ./ui-assets/.
const OWN_DIRS = ['./assets/', './ui-assets/']

function own(name: string): string {
  for (const dir of OWN_DIRS) {
    try {
      return readFileSync(new URL(dir + name, import.meta.url), 'utf8')
    } catch {}
  }
  throw new Error(`dashboard asset ${name} is missing`)
}

const uplot = (file: string): string =>
  readFileSync(createRequire(import.meta.url).resolve(`uplot/dist/${file}`), 'utf8')

const SOURCES: Record<string, () => Asset> = {
  'app.css': () => ({
    type: 'text/css; charset=utf-8',
    body: `${uplot('uPlot.min.css')}\n${own('app.css')}`,
  }),
  'chart.js': () => ({ type: 'text/javascript; charset=utf-8', body: own('chart.js') }),
  'patterns.js': () => ({ type: 'text/javascript; charset=utf-8', body: own('patterns.js') }),
  'uPlot.iife.min.js': () => ({ type: 'text/javascript; charset=utf-8', body: uplot('uPlot.iife.min.js') }),
}

const loaded = new Map<string, Asset>()

export function serveAsset(c: Context): Response {
  const name = c.req.param('name') ?? ''
  const source = SOURCES[name]
  if (!source) return c.text('not found', 404)
  let asset = loaded.get(name)
  if (!asset) {
    asset = source()
    loaded.set(name, asset)
  }
  c.header('Content-Type', asset.type)
  // URLs carry the server version, so a new release is a new URL.
  c.header('Cache-Control', 'public, max-age=86400')
  return c.body(asset.body, 200)
}
