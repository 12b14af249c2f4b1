/* SPKT field help: the service worker of the officer's phone page (/bantuan/saya/).
   It keeps the page and its files so the page opens without a signal; the updates themselves wait
   in the page's own queue (IndexedDB, static/js/fieldhelp.js) and go out when the link is back. */
"use strict";

var CACHE = "spkt-fieldhelp-v1";
var SHELL = ["/bantuan/saya/"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(SHELL).catch(function () { /* signed out: cached on the next visit */ });
    })
  );
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) {
        return caches.delete(k);
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return; // updates go to the network (or the page's queue)
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var isStatic = url.pathname.indexOf("/static/") === 0;
  var isPage = request.mode === "navigate" && url.pathname.indexOf("/bantuan/") === 0;
  if (!isStatic && !isPage) return;
  // Network first, so the desk's changes show; the kept copy when there is no signal.
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && (isStatic || url.pathname === "/bantuan/saya/")) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) {
        return hit || caches.match("/bantuan/saya/");
      });
    })
  );
});
