// Upload progress: a form with data-upload-progress="ID" (and hx-post)
// shows how much of its file has been sent in the element with that id,
// which holds a <progress> and a status line. htmx reports both the upload
// and, after it, the download of the answer as htmx:xhr:progress; once the
// upload reached 100 % the rest is the server reading the file, so the
// figure never goes back and the line says so. Loaded as a file, with
// delegated listeners, so the strict Content-Security-Policy holds.
(function () {
  "use strict";
  function parts(form) {
    var box = document.getElementById(form.getAttribute("data-upload-progress"));
    if (!box) return null;
    return { box: box, bar: box.querySelector("progress"), text: box.querySelector("[role=status]") };
  }
  function formOf(ev) {
    var el = ev.target;
    return el && el.closest ? el.closest("form[data-upload-progress]") : null;
  }
  function show(p, percent, label) {
    if (p.bar) {
      p.bar.value = percent;
      p.bar.setAttribute("aria-valuenow", String(percent));
    }
    if (p.text) p.text.textContent = label;
  }
  document.addEventListener("htmx:xhr:loadstart", function (ev) {
    var form = formOf(ev);
    var p = form && parts(form);
    if (!p || form._uploadStarted) return;
    form._uploadStarted = true;
    form._uploadPercent = 0;
    form._uploadSent = false;
    show(p, 0, "Uploading… 0 %");
  });
  document.addEventListener("htmx:xhr:progress", function (ev) {
    var form = formOf(ev);
    var p = form && parts(form);
    if (!p || form._uploadSent || !ev.detail.lengthComputable || !ev.detail.total) return;
    var percent = Math.min(100, Math.floor((ev.detail.loaded * 100) / ev.detail.total));
    if (percent < form._uploadPercent) return;
    form._uploadPercent = percent;
    if (percent >= 100) {
      form._uploadSent = true;
      show(p, 100, "Uploaded; reading the file…");
      return;
    }
    show(p, percent, "Uploading… " + percent + " %");
  });
  document.addEventListener("htmx:afterRequest", function (ev) {
    var form = formOf(ev);
    if (!form) return;
    form._uploadStarted = false;
  });
})();
