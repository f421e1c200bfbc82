/* Purchase-contract signing in the browser (docs/contracts.md).
 *
 * Keys: the pair is generated here with WebCrypto; the private key is created non-extractable and kept in this
 * browser's IndexedDB (database "yx-signing-keys"); only the public key (SPKI, Base64) is sent to the server.
 * Signing: the message is the canonical JSON of {contract, digest, organization, party, purpose, signed_at, version}
 * (keys in sorted order, no whitespace), exactly what contracts/content.py's confirmation_message builds. Before
 * signing, the page's canonical content is hashed here and compared with the digest the server shows.
 * No inline script, nothing fetched from elsewhere: the CSP's script-src 'self' holds.
 */
(function () {
  "use strict";
  var DB = "yx-signing-keys", STORE = "keys";
  var ALGORITHMS = {
    "ECDSA-P256-SHA256": { generate: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } },
    "Ed25519": { generate: { name: "Ed25519" }, sign: { name: "Ed25519" } }
  };

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "fingerprint" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), result;
        var request = work(t.objectStore(STORE));
        if (request) request.onsuccess = function () { result = request.result; };
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function b64(buffer) {
    var bytes = new Uint8Array(buffer), text = "";
    for (var i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return btoa(text);
  }
  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function sha256(bytes) { return crypto.subtle.digest("SHA-256", bytes); }
  function say(el, text, bad) {
    if (!el) return;
    el.textContent = text;
    el.className = bad ? "msg-error" : "muted";
  }

  // --- the keys page: generate, store, register ------------------------------------------------------------------
  function setUpKeys(form) {
    var status = document.getElementById("key-status");
    var user = form.getAttribute("data-user");
    if (!window.crypto || !crypto.subtle || !window.indexedDB) {
      say(status, form.getAttribute("data-unsupported"), true);
      return;
    }
    tx("readonly", function (store) { return store.getAll(); }).then(function (held) {
      (held || []).forEach(function (record) {
        if (record.user !== user) return;
        var cell = document.querySelector("[data-held='" + record.fingerprint + "']");
        if (cell) cell.textContent = cell.getAttribute("data-label");
      });
    });
    form.addEventListener("submit", function (event) {
      if (form.elements.public_key.value) return;  // already filled: let it go
      event.preventDefault();
      var algorithm = form.elements.algorithm.value, spec = ALGORITHMS[algorithm];
      if (!spec) { say(status, form.getAttribute("data-unsupported"), true); return; }
      say(status, form.getAttribute("data-working"), false);
      var pair;
      crypto.subtle.generateKey(spec.generate, false, ["sign", "verify"]).then(function (generated) {
        pair = generated;
        return crypto.subtle.exportKey("spki", pair.publicKey);
      }).then(function (spki) {
        form.elements.public_key.value = b64(spki);
        return sha256(spki);
      }).then(function (digest) {
        var record = { fingerprint: hex(digest), algorithm: algorithm, user: user, privateKey: pair.privateKey,
                       publicKey: pair.publicKey, created: new Date().toISOString() };
        return tx("readwrite", function (store) { return store.put(record); });
      }).then(function () {
        form.submit();
      }).catch(function (error) {
        form.elements.public_key.value = "";
        say(status, form.getAttribute("data-failed") + " " + error, true);
      });
    });
  }

  // --- the contract page: check the digest, sign the confirmation ------------------------------------------------
  function confirmationMessage(data, signedAt) {
    // keys in sorted order, as Python's json.dumps(sort_keys=True, separators=(",", ":"))
    return JSON.stringify({
      contract: data.contract, digest: data.digest, organization: data.organization, party: data.party,
      purpose: data.purpose, signed_at: signedAt, version: data.version
    });
  }

  function setUpConfirm(form) {
    var status = document.getElementById("sign-status");
    var select = form.elements.key;
    var user = form.getAttribute("data-user");
    var data = {
      contract: form.getAttribute("data-contract"), version: parseInt(form.getAttribute("data-version"), 10),
      digest: form.getAttribute("data-digest"), party: form.getAttribute("data-party"),
      organization: form.getAttribute("data-organization"), purpose: form.getAttribute("data-purpose")
    };
    if (!window.crypto || !crypto.subtle || !window.indexedDB) {
      say(status, form.getAttribute("data-unsupported"), true);
      return;
    }
    var held = {};
    tx("readonly", function (store) { return store.getAll(); }).then(function (records) {
      (records || []).forEach(function (r) { if (r.user === user) held[r.fingerprint] = r; });
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        if (held[option.value]) { if (!first) first = option.value; }
        else if (option.value) option.textContent += " " + form.getAttribute("data-not-here");
      });
      if (first) select.value = first;
    });
    form.addEventListener("submit", function (event) {
      if (form.elements.signature.value) return;
      event.preventDefault();
      var record = held[select.value];
      if (!record) { say(status, form.getAttribute("data-no-key"), true); return; }
      var canonical = document.getElementById("canonical-content").textContent;
      sha256(new TextEncoder().encode(canonical)).then(function (digest) {
        if (hex(digest) !== data.digest) throw new Error(form.getAttribute("data-digest-mismatch"));
        var signedAt = new Date().toISOString();
        form.elements.signed_at.value = signedAt;
        var message = new TextEncoder().encode(confirmationMessage(data, signedAt));
        return crypto.subtle.sign(ALGORITHMS[record.algorithm].sign, record.privateKey, message);
      }).then(function (signature) {
        form.elements.signature.value = b64(signature);
        form.submit();
      }).catch(function (error) {
        form.elements.signature.value = "";
        say(status, form.getAttribute("data-failed") + " " + (error && error.message ? error.message : error), true);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var keys = document.getElementById("key-form");
    if (keys) setUpKeys(keys);
    var confirm = document.getElementById("confirm-form");
    if (confirm) setUpConfirm(confirm);
  });
})();
