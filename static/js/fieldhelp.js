/* SPKT activity 3 on the officer's phone: a status button sends the phone's position with it
   (browser geolocation, with its accuracy). Without a position in 4 seconds, or when the officer
   refuses, the status goes without one: the button never waits on the GPS. No libraries. */
(function () {
  "use strict";

  var WAIT_MS = 4000;

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

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-locate")) return;
    if (form.getAttribute("data-located") === "1" || !navigator.geolocation) return;
    event.preventDefault();
    var sent = false;
    var send = function () {
      if (sent) return;
      sent = true;
      form.setAttribute("data-located", "1");
      form.submit();
    };
    var timer = window.setTimeout(send, WAIT_MS);
    navigator.geolocation.getCurrentPosition(
      function (position) {
        window.clearTimeout(timer);
        fill(form, position);
        send();
      },
      function () {
        window.clearTimeout(timer);
        send();
      },
      { enableHighAccuracy: true, timeout: WAIT_MS, maximumAge: 30000 }
    );
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
})();
