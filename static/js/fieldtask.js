// A new field task: only the details of the chosen kind are shown (all of them without script).
(function () {
  "use strict";
  var source = document.getElementById("task-families");
  var select = document.querySelector("select[name=task_type]");
  if (!source || !select) return;
  var families = JSON.parse(source.textContent);
  function show() {
    var family = families[select.value];
    document.querySelectorAll("fieldset[data-family]").forEach(function (set) {
      set.hidden = set.getAttribute("data-family") !== family;
    });
  }
  select.addEventListener("change", show);
  show();
})();
