/* SPKT: "Notifikasi di ponsel". Registers the desk's service worker (scope "/"), and on the
   notifications page asks the browser's permission, subscribes with the deployment's VAPID key
   and posts the subscription. Every text comes from the page (data-msg-*), already translated. */
(function () {
  "use strict";

  var root = document.querySelector("[data-push-sw]");
  if (!root) return;
  var supported = "serviceWorker" in navigator && "PushManager" in window &&
    "Notification" in window && window.isSecureContext;
  var registration = supported
    ? navigator.serviceWorker.register(root.getAttribute("data-push-sw"), { scope: "/" })
    : null;
  if (registration) registration.catch(function () { /* the card below says so; elsewhere quiet */ });

  var card = document.querySelector("[data-push]");
  if (!card) return;
  var button = card.querySelector("[data-push-enable]");
  var status = card.querySelector("[data-push-status]");

  function say(name, kind) {
    status.textContent = card.getAttribute("data-msg-" + name) || "";
    status.className = kind || "warn";
    status.hidden = false;
  }

  function keyBytes(text) {
    var base64 = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(base64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  if (!supported) {
    button.disabled = true;
    say("unsupported", "bad");
    return;
  }
  if (Notification.permission === "denied") {
    button.disabled = true;
    say("denied", "bad");
    return;
  }
  registration.catch(function () { button.disabled = true; say("failed", "bad"); });

  button.addEventListener("click", function () {
    button.disabled = true;
    say("working");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error("denied");
      return registration;
    }).then(function (reg) {
      return reg.pushManager.getSubscription().then(function (existing) {
        return existing || reg.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(card.getAttribute("data-vapid-key"))
        });
      });
    }).then(function (subscription) {
      var token = card.querySelector("input[name=csrfmiddlewaretoken]").value;
      return fetch(card.getAttribute("data-subscribe-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify(subscription.toJSON())
      });
    }).then(function (response) {
      if (!response.ok) throw new Error("refused");
      say("enabled", "ok");
      window.setTimeout(function () { window.location.reload(); }, 800);
    }).catch(function (error) {
      button.disabled = false;
      if (error && error.message === "denied") {
        button.disabled = Notification.permission === "denied";
        say("denied", "bad");
      } else {
        say("failed", "bad");
      }
    });
  });
})();
