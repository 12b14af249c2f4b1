/* SPKT activity 1 on the desk: countdowns to the 5-minute limit, a chime and a flashing title when
   a new contact arrives, quick replies, and the lobby display. No libraries beyond HTMX; the
   server's clock (data-server-now) is the reference, not the desk PC's. */
(function () {
  "use strict";

  var AMBER_SECONDS = 120;
  var state = { seen: null, etag: null, chimes: 0, offset: 0, flashing: null, lastCalled: null };
  window.spktInbox = state; // read by the browser tests

  // --- Clock -------------------------------------------------------------------------------------
  function parseIso(value) {
    // Django writes microseconds; Date.parse only promises milliseconds.
    return Date.parse(String(value || "").replace(/(\.\d{3})\d+/, "$1"));
  }

  function syncClock(root) {
    var el = root && root.querySelector ? root.querySelector("[data-server-now]") : null;
    if (!el && root && root.hasAttribute && root.hasAttribute("data-server-now")) el = root;
    if (!el) el = document.querySelector("[data-server-now]");
    var server = el ? parseIso(el.getAttribute("data-server-now")) : NaN;
    if (!isNaN(server)) state.offset = server - Date.now();
  }

  function format(seconds) {
    var sign = seconds < 0 ? "\u2212" : "";
    var s = Math.abs(seconds);
    var m = Math.floor(s / 60);
    var r = s % 60;
    return sign + m + ":" + (r < 10 ? "0" : "") + r;
  }

  function tick() {
    var now = Date.now() + state.offset;
    var items = document.querySelectorAll("[data-due]");
    for (var i = 0; i < items.length; i++) {
      var el = items[i];
      var due = parseIso(el.getAttribute("data-due"));
      if (isNaN(due)) continue;
      var left = Math.floor((due - now) / 1000);
      el.textContent = format(left);
      el.classList.toggle("red", left <= 0);
      el.classList.toggle("amber", left > 0 && left < AMBER_SECONDS);
      el.setAttribute("data-state", left <= 0 ? "breached" : left < AMBER_SECONDS ? "amber" : "ok");
    }
  }

  // --- Sound (WebAudio; browsers allow it only after the officer has touched the page) ---------
  var audio = null;
  function soundWanted() {
    try { return window.localStorage.getItem("spkt-sound") !== "off"; } catch (e) { return true; }
  }
  function unlockAudio() {
    if (!soundWanted()) return;
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume();
    updateSoundLabel();
  }
  function chime() {
    state.chimes += 1;
    if (!soundWanted() || !audio || audio.state !== "running") return;
    var t = audio.currentTime;
    [880, 1320].forEach(function (freq, i) {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t + i * 0.18);
      gain.gain.exponentialRampToValueAtTime(0.3, t + i * 0.18 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.18 + 0.35);
      osc.connect(gain).connect(audio.destination);
      osc.start(t + i * 0.18);
      osc.stop(t + i * 0.18 + 0.4);
    });
  }
  function updateSoundLabel() {
    var button = document.querySelector("[data-sound-toggle]");
    if (!button) return;
    var on = soundWanted();
    var running = audio && audio.state === "running";
    var key = !on ? "data-label-off" : running ? "data-label-on" : "data-label-locked";
    button.textContent = button.getAttribute(key) || button.textContent;
    button.setAttribute("aria-pressed", on && running ? "true" : "false");
  }

  // --- Title flash -------------------------------------------------------------------------------
  var baseTitle = document.title;
  function flashTitle(count) {
    stopFlash();
    var holder = document.querySelector("[data-new-label]");
    var label = holder ? holder.getAttribute("data-new-label") : "Kontak baru";
    var alt = "(" + count + ") " + label;
    var on = false;
    var started = Date.now();
    state.flashing = window.setInterval(function () {
      on = !on;
      document.title = on ? alt : baseTitle;
      var seen = document.visibilityState === "visible" && document.hasFocus();
      if (seen && Date.now() - started > 6000) stopFlash();
    }, 800);
    document.title = alt;
  }
  function stopFlash() {
    if (state.flashing) window.clearInterval(state.flashing);
    state.flashing = null;
    document.title = baseTitle;
  }

  // --- New contacts --------------------------------------------------------------------------------
  function waitingIds(root) {
    var ids = {};
    var rows = (root || document).querySelectorAll("[data-list=waiting] [data-contact-id]");
    for (var i = 0; i < rows.length; i++) ids[rows[i].getAttribute("data-contact-id")] = rows[i];
    return ids;
  }
  function checkNew(root) {
    var now = waitingIds(root);
    if (state.seen === null) { state.seen = now; return; }
    var fresh = 0;
    Object.keys(now).forEach(function (id) {
      if (!Object.prototype.hasOwnProperty.call(state.seen, id)) {
        fresh += 1;
        now[id].classList.add("fresh");
      }
    });
    Object.keys(now).forEach(function (id) { state.seen[id] = true; });
    if (fresh) { chime(); flashTitle(fresh); }
  }

  // --- Lobby display -----------------------------------------------------------------------------
  function checkCalled(root) {
    var board = (root || document).querySelector("[data-board]");
    if (!board) return;
    var current = board.getAttribute("data-now") || "";
    if (state.lastCalled !== null && current && current !== state.lastCalled) {
      board.classList.add("fresh");
      chime();
    }
    state.lastCalled = current;
  }

  // --- HTMX polling: conditional requests, nothing swapped on 304 ------------------------------
  document.addEventListener("htmx:configRequest", function (evt) {
    if (evt.detail.elt && evt.detail.elt.hasAttribute("data-inbox") && state.etag) {
      evt.detail.headers["If-None-Match"] = state.etag;
    }
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.status === 304) { evt.detail.shouldSwap = false; return; }
    if (evt.detail.elt && evt.detail.elt.hasAttribute("data-inbox")) {
      state.etag = xhr.getResponseHeader("ETag") || state.etag;
    }
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    var target = evt.detail.target;
    syncClock(target);
    checkNew(document);
    checkCalled(document);
    tick();
  });

  // --- Clicks --------------------------------------------------------------------------------------
  document.addEventListener("click", function (evt) {
    var quick = evt.target.closest("[data-quick]");
    if (quick) {
      var box = document.querySelector("textarea[data-composer]");
      if (box) {
        var text = quick.getAttribute("data-quick");
        box.value = box.value.trim() ? box.value.replace(/\s+$/, "") + "\n" + text : text;
        box.focus();
        box.setSelectionRange(box.value.length, box.value.length);
      }
      return;
    }
    if (evt.target.closest("[data-print]")) { window.print(); return; }
    var toggle = evt.target.closest("[data-sound-toggle]");
    if (toggle) {
      var audible = soundWanted() && audio && audio.state === "running";
      try {
        window.localStorage.setItem("spkt-sound", audible ? "off" : "on");
      } catch (e) { /* private mode: the switch lasts for this page only */ }
      unlockAudio();
      updateSoundLabel();
    }
  });
  ["pointerdown", "keydown"].forEach(function (name) {
    document.addEventListener(name, function (evt) {
      // The sound switch decides for itself; any other touch of the page may unlock audio.
      if (evt.target.closest && evt.target.closest("[data-sound-toggle]")) return;
      unlockAudio();
    }, { passive: true });
  });
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form.hasAttribute("data-once")) return;
    if (form.getAttribute("data-sent")) { evt.preventDefault(); return; }
    form.setAttribute("data-sent", "1");
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("button");
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    }, 0);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && state.flashing) window.setTimeout(stopFlash, 3000);
  });

  function start() {
    syncClock(document);
    checkNew(document);
    checkCalled(document);
    updateSoundLabel();
    tick();
    window.setInterval(tick, 1000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
