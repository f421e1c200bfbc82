// ReDoc's bundle draws the Redocly logo from cdn.redoc.ly, which the Content-Security-Policy refuses (the docs are
// served fully offline). Loaded before the bundle: the logo's address is replaced by an empty local image whichever
// way the bundle sets it (attribute or property), so nothing is requested elsewhere and the browser reports no
// violation.
(function () {
  var remote = "https://cdn.redoc.ly/redoc/logo-mini.svg";
  var blank = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";
  function local(value) {
    return String(value) === remote ? blank : value;
  }
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    return setAttribute.call(this, name, String(name).toLowerCase() === "src" ? local(value) : value);
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) {
      src.set.call(this, local(value));
    },
  });
})();
