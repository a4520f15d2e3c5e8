/* The citizen app's service worker (scope: the whole portal).
 * - pages and the public API: network first, the last copy when offline;
 * - static files: cache first (their names change with each release);
 * - pushes: a notification that opens the bulletin or the feedback page. */
"use strict";
var CACHE = "gr-citizen-__CACHE_VERSION__";
var SHELL = {{ shell|safe }};
var OFFLINE = {{ offline|safe }};
var ICON = {{ icon|safe }};
var APP = {{ app_url|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); })
    .then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("gr-citizen-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function keep(request, response) {
  if (response && response.ok && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

function networkFirst(request) {
  return fetch(request).then(function (response) { return keep(request, response); })
    .catch(function () {
      return caches.match(request).then(function (hit) {
        if (hit) {
          // Say it is a saved copy, so the page can tell the citizen.
          var headers = new Headers(hit.headers);
          headers.set("X-Saved-Copy", "1");
          return hit.blob().then(function (body) {
            return new Response(body, { status: hit.status, statusText: hit.statusText, headers: headers });
          });
        }
        if (request.mode === "navigate") {
          return new Response("<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>" + OFFLINE + "</title><p style=\"font:1.1rem sans-serif;padding:1rem\">" + OFFLINE + "</p><p style=\"font:1.1rem sans-serif;padding:0 1rem\"><a href=\"" + APP + "\">" + APP + "</a></p>",
            { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
        }
        return Response.error();
      });
    });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var path = url.pathname;
  if (path.indexOf("/console/") === 0 || path.indexOf("/board/") === 0 || path.indexOf("/live/") === 0) return;
  if (request.headers.has("range")) return;  // audio and video: straight to the network
  if (path.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) { return keep(request, response); });
    }));
    return;
  }
  if (request.mode === "navigate" || path.indexOf("/api/v1/public/") === 0 ||
      path.indexOf("/api/v1/areas/") === 0 || path === "/manifest.webmanifest") {
    event.respondWith(networkFirst(request));
  }
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data.text() }; }
  var options = {
    body: data.body || "",
    tag: data.tag,
    renotify: true,
    requireInteraction: data.level === "emergency",
    icon: ICON,
    badge: ICON,
    lang: "vi",
    data: { url: data.url || APP }
  };
  event.waitUntil(self.registration.showNotification(data.title || "", options));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || APP;
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].url === url && "focus" in list[i]) return list[i].focus();
    }
    return self.clients.openWindow(url);
  }));
});
