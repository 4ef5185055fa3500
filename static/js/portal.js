// Behaviour every page shares. No inline handlers anywhere: the Content-Security-Policy allows
// scripts from files only, so pages mark elements with data attributes and this file wires them.
(function () {
  "use strict";
  // <select data-submit-on-change>: choosing an option submits its form (the language switch).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change") && target.form) {
      target.form.submit();
    }
  });
})();
