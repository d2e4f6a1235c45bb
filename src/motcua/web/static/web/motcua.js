/* motcua: small behaviours shared by every page. They live here, not in the HTML: the
   Content-Security-Policy allows scripts and styles from the site's own files only. */
(function () {
  "use strict";

  // A select marked data-autosubmit submits its form when it changes (language, period).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) { select.form.submit(); }
  });

  // A bar whose length is a value (data-bar-width="42": 42 %); a style attribute would be blocked.
  function sizeBars(root) {
    root.querySelectorAll("[data-bar-width]").forEach(function (bar) {
      bar.style.width = bar.getAttribute("data-bar-width") + "%";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { sizeBars(document); });
  } else {
    sizeBars(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { sizeBars(event.target); });
})();
