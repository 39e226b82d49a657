// Renders the API reference at /docs with the vendored Redoc
// (redoc.standalone.js): loaded as a file, so the page needs no inline
// script. The document's URL comes from the container's data-spec-url.
// Fonts are the system's: Redoc's defaults name Roboto and Montserrat,
// which it would not load, and nothing may come from another host.
(function () {
  "use strict";
  var el = document.getElementById("redoc");
  if (!el || !window.Redoc) return;
  var sans = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";
  window.Redoc.init(el.dataset.specUrl, {
    expandResponses: "200,201,202",
    jsonSamplesExpandLevel: 3,
    hideDownloadButton: false,
    pathInMiddlePanel: true,
    sortPropsAlphabetically: false,
    theme: {
      colors: { primary: { main: "#4f46e5" } },
      typography: {
        fontFamily: sans,
        headings: { fontFamily: sans },
        code: { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" },
      },
    },
  }, el);
})();
