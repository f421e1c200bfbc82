// The API docs are served fully offline, and the Content-Security-Policy allows images from this site only. ReDoc's
// bundle still draws its attribution logo from Redocly's own server. Loaded before the bundle: any image address of
// another origin is replaced by an empty local image, whichever way the bundle sets it (attribute or property), so
// nothing is requested elsewhere and the browser reports no violation.
(function () {
  var blank = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E";
  function local(value) {
    var text = String(value);
    if (!/^(https?:)?\/\//i.test(text)) {
      return value;
    }
    return new URL(text, window.location.href).origin === window.location.origin ? value : blank;
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
