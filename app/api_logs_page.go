package app

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"mailvet/requestlog"
	"mailvet/views"
)

// apiLogFields are the filter form's fields, as the API names them.
var apiLogFields = []string{"request_id", "api_key", "status", "route", "since", "until"}

// handleAPILogsPage is the API logs page: the workspace's logged requests
// under the API's filters. The form's times are datetime-local values,
// read as UTC; the rest are the API's parameters.
func (s *Server) handleAPILogsPage(w http.ResponseWriter, r *http.Request) {
	pc := pageFrom(r.Context())
	q := r.URL.Query()
	form := views.Form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, name := range apiLogFields {
		form.Values[name] = q.Get(name)
	}
	apiQuery := url.Values{}
	for _, name := range []string{"request_id", "api_key", "status", "route", "cursor"} {
		apiQuery.Set(name, q.Get(name))
	}
	f, err := requestLogFilter(apiQuery)
	if err == nil {
		if f.Since, err = formTime(q, "since"); err == nil {
			f.Until, err = formTime(q, "until")
		}
	}
	status := http.StatusOK
	page := requestlog.Page{}
	var in *inputError
	switch {
	case errors.As(err, &in):
		status = http.StatusBadRequest
		form.Errors[in.field()] = in.first().message
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		if page, err = s.RequestLogs.List(r.Context(), pc.tenant.ID, f, s.actor(r)); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	keys, err := s.Tenants.ListAPIKeys(r.Context(), pc.tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := views.APILogs{Filter: form}
	for _, k := range keys {
		v.Keys = append(v.Keys, views.APILogKey{ID: k.ID.String(), Label: k.Name + " (" + k.Prefix + "…)"})
	}
	for _, rec := range page.Logs {
		v.Rows = append(v.Rows, apiLogRow(rec))
	}
	if page.Next != "" {
		next := url.Values{}
		for _, name := range apiLogFields {
			if form.Values[name] != "" {
				next.Set(name, form.Values[name])
			}
		}
		next.Set("cursor", page.Next)
		v.NextURL = "/api-logs?" + next.Encode()
	}
	s.render(w, r, status, views.APILogsPage(s.page(w, r, "API logs", "api-logs"), v))
}

// formTime reads a datetime-local field as UTC.
func formTime(q url.Values, name string) (*time.Time, error) {
	raw := q.Get(name)
	if raw == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(sinceLayout, raw, time.UTC)
	if err != nil {
		return nil, badRequest(name, "Use a date and time such as 2026-11-24T10:00.")
	}
	return &t, nil
}

func apiLogRow(rec requestlog.Record) views.APILogRow {
	row := views.APILogRow{
		ID: rec.ID.String(), Time: rec.CreatedAt.UTC().Format("2 Jan 15:04:05"), Method: rec.Method, Path: rec.Path, Route: rec.Route,
		Status: strconv.Itoa(rec.Status), StatusClass: fmt.Sprintf("badge-status-%dxx", rec.Status/100),
		Duration: fmt.Sprintf("%.1f ms", rec.DurationMS), RequestID: rec.RequestID, ClientIP: rec.ClientIP, UserAgent: rec.UserAgent,
		BytesIn: strconv.FormatInt(rec.BytesIn, 10), BytesOut: strconv.FormatInt(rec.BytesOut, 10),
	}
	if rec.APIKey != nil {
		row.Key = rec.APIKey.Prefix + "…"
	}
	if rec.ProblemCode != nil {
		row.Problem = *rec.ProblemCode
	}
	return row
}
