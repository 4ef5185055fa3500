/* Import progress: while an import is being checked or written, ask status.json every
   second, move the <progress> bar, and reload the page when the import has finished.
   Without JavaScript the page still shows the status and a "Refresh" link. */
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status-url]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-import-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-import-progress-text]");

  function show(data) {
    if (data.phase === "writing") {
      // Saved in one transaction: no honest count until it commits, so the bar is indeterminate.
      bar.removeAttribute("value");
    } else {
      bar.max = Math.max(data.total_rows, 1);
      bar.value = data.processed_rows;
    }
    if (text && text.textContent !== data.message) {
      text.textContent = data.message;
    }
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        if (data.finished) {
          window.location.reload();
          return;
        }
        show(data);
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // A network blip or a restarting server: try again, a little later.
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
