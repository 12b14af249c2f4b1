// The main menu on a phone, folded behind one "Menu" control so the page starts at the top of the
// screen. Without script the control is a link to #main-nav and CSS (:target) opens the menu; with
// it, the control toggles in place and says whether the menu is open.
(function () {
  "use strict";
  var toggle = document.querySelector("[data-menu-toggle]");
  var nav = document.getElementById("main-nav");
  if (!toggle || !nav) return;

  function set(open) {
    nav.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open && window.location.hash === "#main-nav") {
      // Opened by the link before this script ran: drop the target so CSS lets it fold.
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
  }

  set(window.location.hash === "#main-nav");
  toggle.addEventListener("click", function (event) {
    event.preventDefault();
    set(!nav.classList.contains("open"));
  });
  toggle.addEventListener("keydown", function (event) {
    if (event.key === " ") { event.preventDefault(); toggle.click(); } // a button answers Space too
  });
})();
