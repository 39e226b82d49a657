package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/views"
)

// auditViewer is one of the two audit viewers: the tenant's own log
// (/audit, its owners and admins) or the platform's (/admin/audit).
// Their pages, details and exports differ only in whose log they read.
type auditViewer struct {
	base     string
	platform bool
	events   func(r *http.Request, f audit.Filter) (audit.Page, error)
	event    func(r *http.Request, id int64) (audit.Event, error)
	export   func(r *http.Request, f audit.Filter, format audit.Format, w io.Writer) error
}

func (s *Server) tenantAudit() auditViewer {
	tenant := func(r *http.Request) (uuid.UUID, actor.Actor) {
		return pageFrom(r.Context()).tenant.ID, s.actor(r)
	}
	return auditViewer{
		base: "/audit",
		events: func(r *http.Request, f audit.Filter) (audit.Page, error) {
			id, by := tenant(r)
			return s.Audit.Events(r.Context(), id, f, by)
		},
		event: func(r *http.Request, n int64) (audit.Event, error) {
			id, by := tenant(r)
			return s.Audit.Event(r.Context(), id, n, by)
		},
		export: func(r *http.Request, f audit.Filter, format audit.Format, w io.Writer) error {
			id, by := tenant(r)
			return s.Audit.Export(r.Context(), id, f, format, w, by)
		},
	}
}

func (s *Server) platformAudit() auditViewer {
	return auditViewer{
		base: "/admin/audit", platform: true,
		events: func(r *http.Request, f audit.Filter) (audit.Page, error) {
			return s.Audit.PlatformEvents(r.Context(), f, s.platformActor(r))
		},
		event: func(r *http.Request, n int64) (audit.Event, error) {
			return s.Audit.PlatformEvent(r.Context(), n, s.platformActor(r))
		},
		export: func(r *http.Request, f audit.Filter, format audit.Format, w io.Writer) error {
			return s.Audit.PlatformExport(r.Context(), f, format, w, s.platformActor(r))
		},
	}
}

// auditFilterNames are the filters a viewer carries into its exports and
// next page; the platform's also chooses a workspace.
func auditFilterNames(platform bool) []string {
	names := []string{"actor", "action", "target", "since", "until", "q"}
	if platform {
		names = append(names, "tenant")
	}
	return names
}

// list shows a page of the log with the filters of the query.
func (s *Server) auditList(v auditViewer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		page := views.AuditLog{Platform: v.platform, Base: v.base, Form: views.Form{Values: map[string]string{}}}
		kept := url.Values{}
		for _, name := range auditFilterNames(v.platform) {
			if val := q.Get(name); val != "" {
				page.Form.Values[name] = val
				kept.Set(name, val)
			}
		}
		page.CSVURL = v.base + "/export.csv?" + kept.Encode()
		page.JSONLURL = v.base + "/export.jsonl?" + kept.Encode()
		status := http.StatusOK
		f, err := auditFilter(q)
		var events audit.Page
		if err == nil {
			events, err = v.events(r, f)
		}
		var ie *inputError
		if errors.As(err, &ie) {
			// A filter the page cannot read is shown next to its field.
			status, page.Form.Errors = http.StatusBadRequest, map[string]string{}
			for _, p := range ie.problems {
				page.Form.Errors[p.name] = p.message
			}
		} else if errors.Is(err, audit.ErrBadCursor) {
			status, page.Form.Error = http.StatusBadRequest, "This page's link is broken: start again from the first page."
		} else if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, e := range events.Events {
			page.Rows = append(page.Rows, auditRow(e))
		}
		if events.Next != "" {
			next := maps.Clone(kept) // Set replaces a value's slice: the exports' links keep theirs
			next.Set("cursor", events.Next)
			page.NextURL = v.base + "?" + next.Encode()
		}
		title := "Audit log"
		if v.platform {
			title = "Audit log — all workspaces"
		}
		s.render(w, r, status, views.AuditPage(s.page(w, r, title, "audit"), page))
	}
}

// detail opens one event: before and after, metadata, request, network.
func (s *Server) auditDetail(v auditViewer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			s.fail(w, r, audit.ErrNotFound)
			return
		}
		e, err := v.event(r, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d := views.AuditDetail{Row: auditRow(e), Platform: v.platform, BackURL: v.base, RequestID: e.RequestID, UserAgent: e.UserAgent,
			ActorID: uuidText(e.ActorID), KeyID: uuidText(e.ActorKey), TenantID: uuidText(e.TenantID)}
		d.Metadata = jsonText(e.Metadata, "  ")
		for field, c := range e.Changes {
			d.Changes = append(d.Changes, views.AuditChange{Field: field, Before: jsonText(c.Before, ""), After: jsonText(c.After, "")})
		}
		slices.SortFunc(d.Changes, func(a, b views.AuditChange) int { return strings.Compare(a.Field, b.Field) })
		s.render(w, r, http.StatusOK, views.AuditEventPage(s.page(w, r, "Audit event", "audit"), d))
	}
}

// exportAudit streams what the filters choose as a file.
func (s *Server) exportAudit(v auditViewer, format audit.Format) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := auditFilter(r.URL.Query())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		name := "audit-" + time.Now().UTC().Format("20060102-150405") + "." + string(format)
		contentType := "text/csv; charset=utf-8"
		if format == audit.JSONLines {
			contentType = "application/x-ndjson"
		}
		out := &lazyDownload{w: w, name: name, contentType: contentType}
		if err := v.export(r, f, format, out); err != nil {
			if !out.started {
				s.fail(w, r, err)
				return
			}
			// Headers are gone: cut the response so the download is seen
			// to fail rather than end short as if complete.
			s.Log.Error("export audit log", "request_id", infoFrom(r.Context()).ID, "err", err)
			panic(http.ErrAbortHandler)
		}
		if !out.started {
			out.start()
		}
	}
}

// lazyDownload sends a download's headers with its first bytes, so that a
// refusal found before any row (a member, a bad filter) is still an
// ordinary error page.
type lazyDownload struct {
	w                 http.ResponseWriter
	name, contentType string
	started           bool
}

func (d *lazyDownload) start() {
	d.started = true
	h := d.w.Header()
	h.Set("Content-Type", d.contentType)
	h.Set("Content-Disposition", `attachment; filename="`+d.name+`"`)
	h.Set("Cache-Control", "no-store")
	d.w.WriteHeader(http.StatusOK)
}

func (d *lazyDownload) Write(b []byte) (int, error) {
	if !d.started {
		d.start()
	}
	return d.w.Write(b)
}

func auditRow(e audit.Event) views.AuditRow {
	row := views.AuditRow{ID: strconv.FormatInt(e.ID, 10), When: e.CreatedAt.UTC().Format("2006-01-02 15:04:05 UTC"),
		Actor: e.ActorEmail, ActorKind: actorKindLabel(e.ActorKind), Action: e.Action, IP: e.IP, Support: e.BySupport,
		Tenant: e.TenantSlug}
	if row.Actor == "" && e.ActorKey != nil {
		row.Actor = "API key " + e.ActorKey.String()[:8]
	}
	if e.TargetType != "" || e.TargetID != "" {
		row.Target = e.TargetType + ":" + e.TargetID
	}
	if e.TenantID == nil {
		row.Tenant = "(platform)"
	}
	return row
}

func actorKindLabel(k actor.Kind) string {
	switch k {
	case actor.KindAPIKey:
		return "API key"
	case actor.KindOperator:
		return "operator CLI"
	case actor.KindSystem:
		return "system job"
	}
	return string(k)
}

// jsonText shows a value as JSON, as typed: the page escapes it for
// HTML, so "&" and "<" need not be \u escapes here.
func jsonText(v any, indent string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func uuidText(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}
