/* The reception form (workspace/desk/receive.html): a chosen scan ticks its component; Enter in the
   procedure search box picks the first procedure found. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.classList && input.classList.contains("component-scan") && input.files.length) {
      var tick = document.getElementById(input.dataset.tick);
      if (tick && !tick.checked) { tick.checked = true; tick.dispatchEvent(new Event("change", {bubbles: true})); }
    }
  });
  var search = document.getElementById("procedure-search");
  if (search) {
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
        var first = document.querySelector("#procedure-results .procedure-hit");
        if (first) { first.click(); }
      }
    });
  }
})();
