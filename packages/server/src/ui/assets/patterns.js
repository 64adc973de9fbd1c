// Patterns table: a row's details (example, pins, pin form) are fetched from the server the first time
// the row is opened, so a page of 200 rows carries 200 links instead of 200 forms. Without this script
// the row holds a link to the same details as a page.
document.addEventListener(
  'toggle',
  async (event) => {
    const row = event.target
    if (!(row instanceof HTMLDetailsElement) || !row.open || !row.dataset.more || row.dataset.loaded) return
    row.dataset.loaded = 'yes'
    const res = await fetch(row.dataset.more, { credentials: 'same-origin' })
    const more = row.querySelector('.more')
    if (res.ok && more) more.outerHTML = await res.text()
    else row.dataset.loaded = ''
  },
  true,
)
