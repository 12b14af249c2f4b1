/* SPKT desk: the service worker of the desk installed as an app (scope "/"). It only shows the
   alerts pushed to this device and opens their page when tapped; it keeps nothing offline (the
   officer's field page has its own worker under /bantuan/). */
"use strict";

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

function sameOriginPath(url) {
  // Only a link into this site: a payload cannot send the officer elsewhere.
  try {
    var target = new URL(url || "/", self.location.origin);
    return target.origin === self.location.origin ? target.pathname + target.search : "/";
  } catch (e) {
    return "/";
  }
}

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  var title = data.title || "SPKT";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    requireInteraction: true,
    icon: "/static/img/favicon.svg",
    data: { url: sameOriginPath(data.url) }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var path = sameOriginPath(event.notification.data && event.notification.data.url);
  var target = new URL(path, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if (windows[i].url === target && "focus" in windows[i]) return windows[i].focus();
      }
      for (var j = 0; j < windows.length; j++) {
        if ("navigate" in windows[j]) {
          return windows[j].navigate(target).then(function (w) { return w && w.focus(); });
        }
      }
      return self.clients.openWindow(target);
    })
  );
});
