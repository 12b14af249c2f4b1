/* SPKT activity 3 on the officer's phone. No libraries.
   1. A status button sends the phone's position with it (browser geolocation, with its accuracy).
      Without a position in 4 seconds, or when the officer refuses, it goes without one.
   2. Updates (status, situation report with photos, clearance) are sent in the background; with
      no signal they wait on the phone (IndexedDB) and go out, oldest first, when the link is back.
      Each carries its idempotency key, so one sent twice is applied once.
   3. The page registers a service worker (/bantuan/sw.js) so it opens without a signal. */
(function () {
  "use strict";

  var WAIT_MS = 4000;
  var DB = "spkt-fieldhelp";
  var STORE = "queue";
  var state = document.querySelector("[data-queue-state]");
  var script = document.currentScript;

  // --- Position ---------------------------------------------------------------------------------
  function fill(form, position) {
    var c = position && position.coords;
    if (!c) return;
    var set = function (name, value) {
      var input = form.querySelector('[data-geo="' + name + '"]');
      if (input) input.value = String(value);
    };
    set("lat", c.latitude.toFixed(6));
    set("lon", c.longitude.toFixed(6));
    if (typeof c.accuracy === "number") set("accuracy", Math.round(c.accuracy));
  }

  function located(form, then) {
    if (!form.hasAttribute("data-locate") || !navigator.geolocation) return then();
    var done = false;
    var go = function () { if (!done) { done = true; then(); } };
    var timer = window.setTimeout(go, WAIT_MS);
    navigator.geolocation.getCurrentPosition(
      function (position) { window.clearTimeout(timer); fill(form, position); go(); },
      function () { window.clearTimeout(timer); go(); },
      { enableHighAccuracy: true, timeout: WAIT_MS, maximumAge: 30000 }
    );
  }

  // --- The queue on the phone -------------------------------------------------------------------
  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }

  function entries(form) {
    var list = [];
    new FormData(form).forEach(function (value, name) {
      list.push(value instanceof File ? [name, { file: value, name: value.name }] : [name, value]);
    });
    return list;
  }

  function body(fields) {
    var data = new FormData();
    fields.forEach(function (pair) {
      var value = pair[1];
      if (value && value.file) {
        if (value.name) data.append(pair[0], value.file, value.name);
      } else {
        data.append(pair[0], value);
      }
    });
    return data;
  }

  function all() {
    return tx("readonly", function (store) { return store.getAll(); });
  }

  function show(kind, count) {
    if (!state) return;
    state.hidden = !count;
    state.className = "queue-state " + kind;
    state.textContent = count ? state.getAttribute("data-text-" + kind) + " " + count : "";
  }

  function refresh() {
    return all().then(function (items) { show("queued", items.length); return items; });
  }

  function post(action, fields) {
    return fetch(action, { method: "POST", body: body(fields), credentials: "same-origin" });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return Promise.resolve();
    flushing = true;
    var sent = 0;
    var failed = 0;
    var next = function (items) {
      if (!items.length) return Promise.resolve();
      var item = items[0];
      show("sending", items.length);
      return post(item.action, item.fields).then(function (response) {
        if (response.url.indexOf("/masuk/") !== -1) throw new Error("signed out");
        if (response.ok) sent += 1; else failed += 1; // refused for good: the page says why
        return tx("readwrite", function (store) { store.delete(item.id); });
      }).then(function () { return next(items.slice(1)); });
    };
    return all().then(next).catch(function () { /* still no link, or signed out: keep them */ })
      .then(function () {
        flushing = false;
        if (failed) show("failed", failed);
        else refresh();
        if (sent && !failed) window.location.reload();
      });
  }

  function queue(form) {
    return tx("readwrite", function (store) {
      store.add({ action: form.action, fields: entries(form), at: Date.now() });
    }).then(refresh);
  }

  function send(form) {
    if (!navigator.onLine) return queue(form);
    var fields = entries(form);
    return post(form.action, fields).then(function (response) {
      if (response.ok && response.url.indexOf("/masuk/") === -1) {
        window.location.assign(response.url);
      } else {
        form.setAttribute("data-plain", "1"); // let the server show its answer on its page
        form.submit();
      }
    }).catch(function () { return queue(form); }); // the link dropped on the way
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-queue") || form.hasAttribute("data-plain")) {
      return;
    }
    if (!window.indexedDB || !window.fetch) {
      if (!form.hasAttribute("data-locate") || form.getAttribute("data-located") === "1") return;
    }
    event.preventDefault();
    located(form, function () {
      if (window.indexedDB && window.fetch) { send(form); return; }
      form.setAttribute("data-located", "1");
      form.submit();
    });
  });

  // Photos of a situation report: more than the server takes is refused here already.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-photo-max")) return;
    var max = parseInt(input.getAttribute("data-photo-max"), 10);
    var tooMany = input.files && input.files.length > max;
    input.setCustomValidity(tooMany ? input.getAttribute("data-photo-message") : "");
    if (tooMany) input.reportValidity();
  });

  if (window.indexedDB) {
    window.addEventListener("online", flush);
    refresh().then(flush);
  }
  var worker = script && script.getAttribute("data-service-worker");
  if (worker && "serviceWorker" in navigator) {
    navigator.serviceWorker.register(worker, { scope: "/bantuan/" }).catch(function () {});
  }
})();
