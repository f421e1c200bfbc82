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

// After a refused submit the page comes back with the errors marked: bring the first into view and put the keyboard
// on its input, wherever it is on the page (autofocus alone does not scroll in every browser, and a form low on a
// long page would leave its error below the fold).
(function () {
  function firstError() {
    return document.querySelector('[aria-invalid="true"]') ||
      document.querySelector(".field-error, .errorlist, .form-errors");
  }
  function reveal() {
    var target = firstError();
    if (!target) {
      return;
    }
    var box = target.closest(".form-row, label, td, p, li, .card") || target;
    box.scrollIntoView({ block: "center" });
    var input = target.matches("input, select, textarea") ? target : box.querySelector("input, select, textarea");
    if (input && typeof input.focus === "function") {
      input.focus({ preventScroll: true });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
})();
