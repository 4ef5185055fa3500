/* Report export progress: while the file is being made, ask status.json (first after half a
   second, then every second), move the <progress> bar and the message, and reload the page
   when the file is ready, has failed or can be started again. Without JavaScript the page
   shows the state it was loaded in and a "Refresh" link. */
(function () {
  "use strict";
  var box = document.querySelector("[data-export-status-url]");
  if (!box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-export-status-url");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-export-message]");

  function show(data) {
    bar.value = data.progress;
    bar.textContent = data.progress + " %";
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
        show(data);
        if (data.finished || data.can_restart) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 1000);
      })
      .catch(function () {
        // A network blip or a restarting server: try again, a little later.
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 500);
})();
