// The scheduling progress page: asks the server how the run is going every second and a
// half, moves the progress bar, and reloads the page once the run has finished.
(function () {
  "use strict";
  var section = document.querySelector("[data-run-status-url]");
  if (!section) return;
  var url = section.getAttribute("data-run-status-url");
  var bar = section.querySelector("progress");
  var label = section.querySelector("[data-run-message]");
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (run) {
        if (!run) return setTimeout(poll, 3000);
        if (run.status !== "running") return window.location.reload();
        bar.value = Math.round(run.progress * 100);
        bar.textContent = bar.value + " %";
        label.textContent = run.message;
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
