// Countdowns: <span data-until="RFC 3339 time">Stops working in 3 hours</span>
// keeps its "in …" current while the page stays open (a rolled key's
// grace), in the words the server uses, and says when the time has come.
// A file with one timer, so the strict Content-Security-Policy holds and
// rows that htmx swaps in count down too.
(function () {
  "use strict";
  function roughly(ms) {
    var minute = 60000, hour = 60 * minute, day = 24 * hour;
    function unit(n, one) { return n === 1 ? "1 " + one : n + " " + one + "s"; }
    if (ms >= 2 * day) return unit(Math.floor(ms / day), "day");
    if (ms >= 2 * hour) return unit(Math.floor(ms / hour), "hour");
    if (ms >= minute) return unit(Math.floor(ms / minute), "minute");
    return "less than a minute";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-until]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-until")) - now;
      if (isNaN(left)) return;
      el.textContent = left > 0 ? "Stops working in " + roughly(left) : "Stopped working: it is now refused";
    });
  }
  document.addEventListener("DOMContentLoaded", tick);
  document.addEventListener("htmx:afterSettle", tick);
  setInterval(tick, 15000);
})();
