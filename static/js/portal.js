/* The portal's small behaviours, loaded on every page (no inline scripts: the CSP forbids them).

   1. A form that came back with errors: open the <details> panel around it, bring the first
      error into view and focus it. The server already opens the panel (<details open>) and puts
      `autofocus` on the first invalid field, so without JavaScript nothing is hidden either;
      this covers errors that belong to the whole form (a list with class "nonfield").
   2. The main menu on a phone: a button that folds the navigation in and out (see .nav-toggle in
      portal.css; without JavaScript the menu stays unfolded).
*/
(function () {
  "use strict";

  function openPanelsAround(element) {
    for (var node = element.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") {
        node.open = true;
      }
    }
  }

  function focusFirstError() {
    var first = document.querySelector("main [aria-invalid='true'], main .errorlist.nonfield, main [data-form-error]");
    if (!first) {
      return;
    }
    openPanelsAround(first);
    if (!first.matches("input, select, textarea, button")) {
      first.setAttribute("tabindex", "-1");
    }
    first.scrollIntoView({block: "center"});
    first.focus({preventScroll: true});
  }

  function menuToggle() {
    var header = document.querySelector(".site-header");
    var button = header && header.querySelector(".nav-toggle");
    if (!button) {
      return;
    }
    header.classList.add("menu-folds");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    });
  }

  function submitOnChange() {
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () {
        select.form.submit();
      });
    });
  }

  function filtersOpenOnWideScreens() {
    // Without JavaScript the filters are open everywhere; with it, folded on a phone unless in use.
    var wide = window.matchMedia("(min-width: 48rem)").matches;
    document.querySelectorAll("details[data-open-on-wide]").forEach(function (details) {
      if (!details.hasAttribute("data-keep-open")) {
        details.open = wide;
      }
    });
  }

  function ready() {
    filtersOpenOnWideScreens();
    menuToggle();
    submitOnChange();
    focusFirstError();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();

/* A table or chart that scrolls inside its own box on a phone can be scrolled with the keyboard too. */
(function () {
  "use strict";
  function focusableScrollers() {
    document.querySelectorAll(".table-wrap, .chart-numbers").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusableScrollers);
  } else {
    focusableScrollers();
  }
  window.addEventListener("resize", focusableScrollers);
})();
