// Actions that close or void ask first: a form with data-confirm="…" is sent only after the
// officer confirms the browser's own dialog (keyboard: Enter / Esc). Listening in the capture
// phase, it runs before the page's other submit handlers (htmx, the field page's offline queue)
// and stops them when the officer cancels.
(function () {
  "use strict";
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      var question = form.getAttribute("data-confirm");
      if (!question || form.dataset.confirmed === "1") return;
      if (!window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
})();
