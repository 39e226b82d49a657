package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// contract sends API requests through the harness and checks each request
// and its response against the OpenAPI document the server serves.
type contract struct {
	t      *testing.T
	h      *harness
	client *browser
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
	seen   map[string][]int // operationId → statuses answered
}

// newContract fetches /v1/openapi.yaml from the running server, loads and
// validates it.
func newContract(t *testing.T, h *harness) *contract {
	t.Helper()
	client := h.browser()
	res := client.get("/v1/openapi.yaml")
	expect(t, res, http.StatusOK, "openapi: 3.0.3")
	if ct := res.Header.Get("Content-Type"); ct != "application/yaml" {
		t.Fatalf("openapi.yaml served as %q", ct)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(res.body))
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	doc.SetStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &contract{t: t, h: h, client: client, doc: doc, router: router, seen: map[string][]int{},
		opts: &openapi3filter.Options{
			// The test checks responses; the server itself checks keys.
			AuthenticationFunc:                func(context.Context, *openapi3filter.AuthenticationInput) error { return nil },
			IncludeResponseStatus:             true,
			MultiError:                        true,
			RejectWhenRequestBodyNotSpecified: true,
			SchemaValidationOptions:           doc.GetSchemaValidationOptions(),
		}}
}

// exchange sends one request and validates it and the response. The
// request must match the document, unless refused says the document itself
// rejects it (a bad body or parameter the server must refuse too).
func (c *contract) exchange(method, path, key, contentType string, body []byte, refused bool, headers ...string) response {
	c.t.Helper()
	build := func() *http.Request {
		req, err := http.NewRequest(method, c.h.srv.URL+path, bytes.NewReader(body))
		if err != nil {
			c.t.Fatal(err)
		}
		if body == nil {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		return req
	}
	vreq := build()
	route, params, err := c.router.FindRoute(vreq)
	if err != nil {
		c.t.Fatalf("%s %s: not in the document: %v", method, path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: c.opts}
	reqErr := openapi3filter.ValidateRequest(c.t.Context(), in)
	switch {
	case reqErr != nil && !refused:
		c.t.Errorf("%s %s: the document rejects this request: %v", method, path, reqErr)
	case reqErr == nil && refused:
		c.t.Errorf("%s %s: the document accepts a request the test expects it to reject", method, path)
	}

	res := c.client.do(build())
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Options: c.opts}
	out.SetBodyBytes([]byte(res.body))
	if err := openapi3filter.ValidateResponse(c.t.Context(), out); err != nil {
		c.t.Errorf("%s %s: %d response does not match the document: %v\n%s", method, path, res.StatusCode, err, abbreviate(res.body))
	}
	if res.StatusCode >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
		c.t.Errorf("%s %s: error %d is %q, not a problem", method, path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	c.seen[route.Operation.OperationID] = append(c.seen[route.Operation.OperationID], res.StatusCode)
	return res
}

// call sends a request the document accepts; body, if any, is JSON.
func (c *contract) call(method, path, key, body string, headers ...string) response {
	c.t.Helper()
	if body == "" {
		return c.exchange(method, path, key, "", nil, false, headers...)
	}
	return c.exchange(method, path, key, "application/json", []byte(body), false, headers...)
}

// refused sends a request the document itself rejects.
func (c *contract) refused(method, path, key, body string, headers ...string) response {
	c.t.Helper()
	if body == "" {
		return c.exchange(method, path, key, "", nil, true, headers...)
	}
	return c.exchange(method, path, key, "application/json", []byte(body), true, headers...)
}

// upload posts a multipart list: fields (name, value pairs) first, then the
// file part.
func (c *contract) upload(key, idemKey, filename, content string, refused bool, fields ...string) response {
	c.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	var headers []string
	if idemKey != "" {
		headers = []string{"Idempotency-Key", idemKey}
	}
	return c.exchange("POST", "/v1/lists", key, mw.FormDataContentType(), body.Bytes(), refused, headers...)
}

// operations lists the document's operations as "METHOD /path" → operationId.
func (c *contract) operations() map[string]string {
	ops := map[string]string{}
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[method+" "+path] = op.OperationID
		}
	}
	return ops
}

// keyless reports whether the operation takes no API key (security: []):
// the document, and pushes signed with an endpoint's inbound secret.
func (c *contract) keyless(method, path string) bool {
	op := c.doc.Paths.Find(path).GetOperation(method)
	return op != nil && op.Security != nil && len(*op.Security) == 0
}

// checkCoverage wants a success and an error answer for every operation
// (the document itself cannot fail).
func (c *contract) checkCoverage() {
	c.t.Helper()
	for op, id := range c.operations() {
		statuses := c.seen[id]
		ok := slices.ContainsFunc(statuses, func(s int) bool { return s < 300 })
		failed := slices.ContainsFunc(statuses, func(s int) bool { return s >= 400 })
		if !ok || (!failed && id != "getOpenAPI") {
			c.t.Errorf("%s (%s): statuses seen %v; want a success and an error", op, id, statuses)
		}
	}
}

// summary is the statuses seen per operation, for the log.
func (c *contract) summary() string {
	var lines []string
	for id, statuses := range c.seen {
		s := slices.Clone(statuses)
		slices.Sort(s)
		lines = append(lines, fmt.Sprintf("%s %v", id, slices.Compact(s)))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
