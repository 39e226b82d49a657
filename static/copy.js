// Copy buttons: <button type="button" data-copy-target="ID">Copy</button>
// copies the text of the element with that id. Loaded as a file, with one
// delegated listener, so the strict Content-Security-Policy holds and
// buttons that htmx swaps in work too.
(function () {
  "use strict";
  function fallback(text) {
    var t = document.createElement("textarea");
    t.value = text;
    t.setAttribute("readonly", "");
    t.className = "sr-only";
    document.body.appendChild(t);
    t.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(t);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }
  function say(button, label) {
    if (!button.dataset.copyLabel) button.dataset.copyLabel = button.textContent;
    button.textContent = label;
    clearTimeout(button._copyTimer);
    button._copyTimer = setTimeout(function () {
      button.textContent = button.dataset.copyLabel;
    }, 2000);
  }
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest && ev.target.closest("[data-copy-target]");
    if (!button) return;
    var el = document.getElementById(button.getAttribute("data-copy-target"));
    if (!el) return;
    ev.preventDefault();
    var text = el.tagName === "INPUT" || el.tagName === "TEXTAREA" ? el.value : el.textContent;
    var p = navigator.clipboard && window.isSecureContext
      ? navigator.clipboard.writeText(text).catch(function () { return fallback(text); })
      : fallback(text);
    p.then(function () { say(button, "Copied"); }, function () { say(button, "Press Ctrl+C to copy"); });
  });
})();
