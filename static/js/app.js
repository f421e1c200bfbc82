// Behaviour every page shares, bound here rather than in inline handlers (the Content-Security-Policy allows scripts
// from this site only): a <select data-autosubmit> submits its form when changed; a checkbox
// <input data-check-all="NAME"> ticks or clears every checkbox named NAME.
(function () {
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
    if (target.matches("input[data-check-all]")) {
      document.querySelectorAll('input[name="' + target.dataset.checkAll + '"]').forEach(function (box) {
        box.checked = target.checked;
      });
    }
  });
})();
