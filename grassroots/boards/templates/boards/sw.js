{% load static %}/* The board's service worker: it keeps the player page, its scripts, the
   playlist and the media, so that a board goes on showing its playlist
   through a network outage. Served at {{ base }}sw.js, it controls this
   board's address only. The playlist from the network always wins: what it
   no longer lists (a withdrawn bulletin, a removed item) is deleted here. */
'use strict';

const BASE = {{ base_json|safe }};
const PAGE_CACHE = 'board-page';
const MEDIA_CACHE = 'board-media';
const STATIC = [
  '{% static "boards/player.css" %}',
  '{% static "boards/fit.js" %}',
  '{% static "boards/snapshot.js" %}',
  '{% static "boards/player.js" %}',
];
const NETWORK_TIMEOUT_MS = 5000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(PAGE_CACHE)
      .then((cache) => cache.addAll([BASE, BASE + 'playlist.json', ...STATIC]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim());
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
                 (error) => { clearTimeout(timer); reject(error); });
  });
}

async function fromCache(request, cacheName) {
  const cache = await caches.open(cacheName);
  return cache.match(request, { ignoreSearch: true });
}

/* The page and the playlist: the network first, what was saved when it fails. */
async function networkFirst(request) {
  const cache = await caches.open(PAGE_CACHE);
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (response.status === 200) {
      await cache.put(request.url.split('?')[0], response.clone());
    } else if (response.status === 404 || response.status === 410) {
      // The address was revoked or the board retired: keep nothing.
      await caches.delete(PAGE_CACHE);
      await caches.delete(MEDIA_CACHE);
    }
    return response;
  } catch (error) {
    const saved = await cache.match(request.url.split('?')[0]);
    if (!saved) throw error;
    const headers = new Headers(saved.headers);
    headers.set('X-Board-Offline', '1');
    return new Response(await saved.blob(), { status: 200, headers });
  }
}

/* Scripts and styles: what is saved at once, refreshed behind the scenes. */
async function staleWhileRevalidate(request) {
  const cache = await caches.open(PAGE_CACHE);
  const saved = await cache.match(request);
  const fresh = fetch(request).then((response) => {
    if (response.status === 200) cache.put(request, response.clone());
    return response;
  }).catch(() => saved);
  return saved || fresh;
}

/* Media: addressed by content hash, so a saved copy is always right. */
async function cacheFirst(request) {
  const cache = await caches.open(MEDIA_CACHE);
  const saved = await cache.match(request, { ignoreSearch: true });
  if (saved) return saved;
  const response = await fetch(request);
  if (response.status === 200) await cache.put(request.url, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname === BASE || url.pathname === BASE + 'playlist.json') {
    event.respondWith(networkFirst(event.request));
  } else if (url.pathname.startsWith(BASE + 'media/')) {
    event.respondWith(cacheFirst(event.request));
  } else if (STATIC.includes(url.pathname)) {
    event.respondWith(staleWhileRevalidate(event.request));
  }
  // Everything else (the push stream, reports, screenshots) goes to the network.
});

/* The page tells us which media the current playlist needs: fetch what is
   missing, delete what is no longer listed. */
async function keepMedia(urls) {
  const cache = await caches.open(MEDIA_CACHE);
  const wanted = new Set(urls.map((u) => new URL(u, self.location.origin).href));
  for (const request of await cache.keys()) {
    if (!wanted.has(request.url)) await cache.delete(request);
  }
  for (const url of wanted) {
    if (!(await cache.match(url))) {
      try {
        const response = await fetch(url);
        if (response.status === 200) await cache.put(url, response);
      } catch (error) { /* offline: fetched next time */ }
    }
  }
}

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'media' && Array.isArray(data.urls)) {
    event.waitUntil(keepMedia(data.urls));
  } else if (data.type === 'purge') {
    event.waitUntil(Promise.all([caches.delete(PAGE_CACHE), caches.delete(MEDIA_CACHE)]));
  }
});
