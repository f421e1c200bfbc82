// Countdown to a deadline, corrected for the difference between the server's clock and the browser's.
(function () {
  document.querySelectorAll(".countdown").forEach(function (el) {
    var deadline = Date.parse(el.dataset.deadline);
    var skew = Date.parse(el.dataset.now) - Date.now();
    function tick() {
      var left = Math.floor((deadline - (Date.now() + skew)) / 1000);
      if (left <= 0) { el.textContent = el.dataset.expired; el.classList.add("expired"); return; }
      var d = Math.floor(left / 86400), h = Math.floor(left % 86400 / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      el.textContent = el.dataset.left + " " + (d ? d + " " + el.dataset.days + " " : "") + [h, m, s].map(function (n) { return String(n).padStart(2, "0"); }).join(":");
      setTimeout(tick, 1000);
    }
    tick();
  });
})();
