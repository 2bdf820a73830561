// sw.js — lets the kiosk page itself open without a network (after a
// reboot on a dead Wi-Fi): the page's files come from the network when it
// answers and from this cache when it does not. API calls are never
// touched; the page queues responses itself (queue.js).

const CACHE = 'palaute-kiosk-4';
const SHELL = [
  './', './kiosk.css', './kiosk.js', './queue.js', './screens.js',
  './manifest.webmanifest', './icon.svg', './icon-192.png',
  '/assets/palaute.css', '/assets/api.js', '/assets/dom.js', '/assets/i18n.js',
  '/assets/faces.js', '/assets/privacy.js', '/assets/favicon.svg', '/assets/lang.js',
  ...['fi', 'sv', 'en', 'se', 'ru', 'uk', 'et', 'ar', 'so', 'fa', 'fi-x-plain', 'sv-x-plain']
    .map((tag) => `/assets/i18n/${tag}.js`),
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!url.pathname.startsWith('/kiosk/') && !url.pathname.startsWith('/assets/')) return;
  event.respondWith(fetch(req).then((res) => {
    if (res.ok) {
      const copy = res.clone();
      caches.open(CACHE).then((c) => c.put(url.pathname === '/kiosk/' ? './' : req, copy));
    }
    return res;
  }).catch(() => caches.match(url.pathname === '/kiosk/' || url.pathname === '/kiosk/index.html' ? './' : req, { ignoreSearch: true })
    .then((hit) => hit || Response.error())));
});
