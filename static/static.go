// Package static holds the files served under /static/: the stylesheet,
// the favicon, copy.js (the copy buttons), upload.js (upload progress) and a vendored copy of htmx
// (2.0.11 from the htmx.org npm package, dist/htmx.min.js; licence in
// htmx.LICENSE, 0BSD), and the API docs viewer of /docs: Redoc's
// standalone bundle (redoc.standalone.js, from the redoc npm package; see
// redoc.SOURCE, licence in redoc.LICENSE, MIT) with redoc-init.js, which
// starts it, and docs.css, the page's top bar.
package static

import "embed"

// FS holds the static files at its root (style.css, htmx.min.js, ...).
//
//go:embed style.css htmx.min.js htmx.LICENSE favicon.svg copy.js upload.js countdown.js
//go:embed redoc.standalone.js redoc.LICENSE redoc.standalone.js.LICENSE.txt redoc.SOURCE redoc-init.js docs.css
var FS embed.FS
