// Volume charts: reads each JSON data block the page carries and draws it with uPlot (loaded before this
// file). Plain vs written bytes per bucket; dashed vertical lines mark policy versions.
;(() => {
  const UNITS = ['B', 'KB', 'MB', 'GB', 'TB']
  const bytes = (n) => {
    if (n == null) return '–'
    let v = n
    let u = 0
    while (v >= 1000 && u < UNITS.length - 1) {
      v /= 1000
      u++
    }
    return `${u === 0 ? Math.round(v) : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`
  }

  /** A uPlot plugin: a dashed line and a label at each policy version's time. */
  const versionMarks = (versions) => ({
    hooks: {
      draw: [
        (u) => {
          const { ctx, bbox } = u
          ctx.save()
          ctx.strokeStyle = '#6d28d9'
          ctx.fillStyle = '#4c1d95'
          ctx.lineWidth = 1
          ctx.setLineDash([4, 4])
          ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`
          for (const v of versions) {
            const x = Math.round(u.valToPos(Date.parse(v.createdAt) / 1000, 'x', true))
            if (x < bbox.left || x > bbox.left + bbox.width) continue
            ctx.beginPath()
            ctx.moveTo(x, bbox.top)
            ctx.lineTo(x, bbox.top + bbox.height)
            ctx.stroke()
            ctx.fillText(`v${v.version}`, x + 4, bbox.top + 14 * devicePixelRatio)
          }
          ctx.restore()
        },
      ],
    },
  })

  for (const el of document.querySelectorAll('[data-series]')) {
    const data = JSON.parse(document.getElementById(el.dataset.series).textContent)
    const xs = data.points.map((p) => p.t / 1000)
    const plain = data.points.map((p) => p.plainBytes)
    const written = data.points.map((p) => p.keptBytes)
    const opts = {
      width: el.clientWidth - 16,
      height: 280,
      plugins: [versionMarks(data.versions)],
      // The whole span (24 h or 7 d), not just the buckets that have stats.
      scales: { x: { time: true, range: () => [Date.parse(data.since) / 1000, Date.now() / 1000] } },
      series: [
        {},
        { label: 'Plain', stroke: '#b45309', width: 2, value: (_u, v) => bytes(v) },
        {
          label: 'Written',
          stroke: '#1d4ed8',
          width: 2,
          fill: 'rgba(29, 78, 216, 0.08)',
          value: (_u, v) => bytes(v),
        },
      ],
      axes: [{}, { values: (_u, vals) => vals.map(bytes), size: 70 }],
    }
    const plot = new uPlot(opts, [xs, plain, written], el)
    addEventListener('resize', () => plot.setSize({ width: el.clientWidth - 16, height: 280 }))
  }
})()
