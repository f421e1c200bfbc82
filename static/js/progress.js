/* Progress bars of imports and long jobs: polls each [data-progress-url] element's status endpoint and moves
   its bar; when the job is done the page reloads (data-reload) to show the outcome. No page is left frozen:
   the work runs in a background worker and the page only reads its status. */
(function () {
  "use strict";
  function watch(box) {
    var bar = box.querySelector(".progress-bar");
    var meter = box.querySelector(".progress");
    var text = box.querySelector(".progress-text");
    // with data-count, the text's "n / m" is the count of rows processed (imports)
    var template = text && box.hasAttribute("data-count") ? text.textContent.replace(/\d+\s*\/\s*\d+/, "{p} / {t}") : null;
    function show(data) {
      var percent = Math.max(0, Math.min(100, data.percent || 0));
      if (bar) { bar.style.width = percent + "%"; }
      if (meter) { meter.setAttribute("aria-valuenow", String(percent)); }
      if (text) {
        if (template && data.total !== undefined) {
          text.textContent = template.replace("{p}", data.processed).replace("{t}", data.total || "?");
        } else if (data.step || data.status_label) {
          text.textContent = (data.status_label || "") + (data.step ? " · " + data.step : "") + " · " + percent + "%";
        }
      }
    }
    function poll() {
      fetch(box.getAttribute("data-progress-url"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (data) {
          show(data);
          if (data.done) { window.location.reload(); } else { window.setTimeout(poll, 1500); }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 800);
  }
  document.querySelectorAll("[data-progress-url]").forEach(watch);
})();
