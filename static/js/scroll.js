// A table wider than the screen scrolls inside its card (spkt.css). Such a region must be
// reachable by keyboard to be scrolled with the arrow keys (WCAG 2.1.1): when nothing inside it
// takes the focus, the region itself does, named after its table's caption or the card's heading.
(function () {
  "use strict";
  var FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";

  function mark() {
    document.querySelectorAll("main table, main .scroll").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      var own = box.getAttribute("data-scroll-focus") !== null;
      if (scrolls && !own && !box.querySelector(FOCUSABLE)) {
        var card = box.closest("section, .card");
        var heading = card && card.querySelector("h2, h3");
        box.setAttribute("tabindex", "0");
        if (box.tagName !== "TABLE") box.setAttribute("role", "region"); // a table stays a table
        if (heading) box.setAttribute("aria-label", heading.textContent.trim());
        box.setAttribute("data-scroll-focus", "");
      } else if (!scrolls && own) {
        ["tabindex", "role", "aria-label", "data-scroll-focus"].forEach(function (name) {
          box.removeAttribute(name);
        });
      }
    });
  }

  mark();
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSettle", mark);
})();
