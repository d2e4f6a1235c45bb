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

  // A state-changing form shows that it is being sent and cannot be sent twice by a second click: its
  // submit buttons are disabled (after the browser has read the clicked one's name and value) and the
  // clicked one shows a spinner and "Đang xử lý…". The server ignores a repeat anyway (form_token).
  function busy(form, submitter) {
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
        b.disabled = true;
      });
      if (submitter && !submitter.classList.contains("is-busy")) {
        submitter.classList.add("is-busy");
        submitter.setAttribute("data-label", submitter.textContent);
        var spinner = document.createElement("span");
        spinner.className = "spinner-border spinner-border-sm me-1";
        spinner.setAttribute("aria-hidden", "true");
        submitter.textContent = " " + (document.documentElement.lang === "en" ? "Working…" : "Đang xử lý…");
        submitter.prepend(spinner);
        submitter.setAttribute("aria-busy", "true");
      }
    }, 0);
  }
  function idle(root) {
    root.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.removeAttribute("data-busy");
      form.querySelectorAll("button, input[type=submit]").forEach(function (b) {
        b.disabled = false;
        if (b.classList.contains("is-busy")) {
          b.classList.remove("is-busy");
          b.removeAttribute("aria-busy");
          b.textContent = b.getAttribute("data-label");
        }
      });
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[method=post]") || event.defaultPrevented) { return; }
    if (form.hasAttribute("data-busy")) { event.preventDefault(); return; }  // a second click while sending
    form.setAttribute("data-busy", "1");
    busy(form, event.submitter || form.querySelector("button[type=submit]"));
  });
  // htmx forms stay on the page: give their buttons back when the answer (or an error) arrives.
  document.addEventListener("htmx:afterRequest", function () { idle(document); });
  // Back to a page kept in the browser's cache: its forms can be used again.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { idle(document); } });
})();
