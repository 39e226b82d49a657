// Package static holds the files served under /static/: the stylesheet,
// the favicon, copy.js (the copy buttons), upload.js (upload progress) and a vendored copy of htmx
// (2.0.11 from the htmx.org npm package, dist/htmx.min.js; licence in
// htmx.LICENSE, 0BSD).
package static

import "embed"

// FS holds the static files at its root (style.css, htmx.min.js, ...).
//
//go:embed style.css htmx.min.js htmx.LICENSE favicon.svg copy.js upload.js countdown.js
var FS embed.FS
