// admin.js — the helpers the admin pages share (builder.js: surveys;
// fleet.js: collectors; users.js: users): tables, QR codes drawn by the
// daemon (POST /api/v1/qr.svg), printing a poster or slips.

import { h, fill } from '/assets/dom.js';

/* ------------------------------------------------------------ shared */

export function table(head, rows, cls) {
  return h('div', { class: 'table-wrap' }, h('table', { class: cls },
    h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows)));
}

// A QR code of url, drawn by the daemon, as an <img> from a blob: the
// request needs the bearer token, which an <img src> cannot send. The
// URL goes in the body of a POST, never in a query: a kiosk's or an
// invitation's code in it would reach the access log of any proxy.
export async function qrImage(app, url, cls = 'qr', alt = app.t('qrAlt', { url })) {
  const img = h('img', { class: cls, alt, width: 240, height: 240 });
  try {
    const res = await app.call('/api/v1/qr.svg', { body: { text: url }, raw: true, accept: 'image/svg+xml' });
    img.src = URL.createObjectURL(await res.data.blob());
    return img;
  } catch {
    return h('p', { class: 'notice' }, app.t('qrMissing'));
  }
}

// Print only the given nodes (a poster, slips): everything else of the
// page is hidden by the print style while they are in #print-root.
export function printNodes(nodes) {
  const root = document.getElementById('print-root');
  fill(root, nodes);
  document.body.classList.add('printing');
  const done = () => {
    document.body.classList.remove('printing');
    fill(root);
    window.removeEventListener('afterprint', done);
  };
  window.addEventListener('afterprint', done);
  // Let the QR images decode before the print dialog snapshots the page.
  const imgs = [...root.querySelectorAll('img')];
  Promise.all(imgs.map((i) => (i.complete ? null : new Promise((r) => { i.onload = r; i.onerror = r; }))))
    .then(() => window.print());
}

export function unitOptions(app, selected) {
  return app.units.map((u) => h('option', { value: u.id, selected: u.id === selected }, app.text(u.name)));
}
