// The main menu on a phone: folded behind one "Menu" button so the page starts at the top of the
// screen (without script the menu simply stays open).
(function () {
  "use strict";
  var button = document.querySelector("[data-menu-toggle]");
  var nav = document.getElementById("main-nav");
  if (!button || !nav) return;
  document.documentElement.classList.add("menu-folds");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = nav.classList.toggle("open");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
