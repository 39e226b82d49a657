package app_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"mailvet/app"
)

// Every /v1 route routes.go registers is an operation of openapi.yaml, and
// every operation of openapi.yaml is a route: the reference at /docs
// neither misses an endpoint nor describes one that is not there.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	routes, fallbacks := apiRoutes(t)
	ops := map[string]bool{}
	for path, item := range servedOpenAPI(t).Paths.Map() {
		for method := range item.Operations() {
			ops[method+" "+path] = true
		}
	}
	for _, r := range routes {
		if !ops[r] {
			t.Errorf("routes.go serves %s, which openapi.yaml does not document", r)
		}
	}
	for _, op := range slices.Sorted(func(yield func(string) bool) {
		for op := range ops {
			if !yield(op) {
				return
			}
		}
	}) {
		if !slices.Contains(routes, op) {
			t.Errorf("openapi.yaml documents %s, which routes.go does not serve", op)
		}
	}
	// A pattern without a method answers every method: it cannot be
	// documented, and only the catch-all that answers 404/405 may be one.
	if !slices.Equal(fallbacks, []string{"/v1/"}) {
		t.Errorf("routes.go's /v1 patterns without a method are %q, want only the catch-all /v1/", fallbacks)
	}
	if len(routes) < 40 {
		t.Errorf("found only %d /v1 routes in routes.go; does it still register them with mux.Handle?", len(routes))
	}
}

// apiRoutes reads routes.go's registrations (mux.Handle and
// mux.HandleFunc with a literal pattern, however they are laid out) and
// returns the /v1 ones with a method ("POST /v1/verify") and the /v1
// patterns without one.
func apiRoutes(t *testing.T) (routes, fallbacks []string) {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "routes.go", nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
			return true
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return true
		}
		pattern, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		method, path, hasMethod := strings.Cut(pattern, " ")
		if !hasMethod {
			path = method
		}
		switch {
		case !strings.HasPrefix(path, "/v1/"):
		case hasMethod:
			routes = append(routes, method+" "+path)
		default:
			fallbacks = append(fallbacks, path)
		}
		return true
	})
	return routes, fallbacks
}

// servedOpenAPI loads and validates the document as the server serves it.
func servedOpenAPI(t *testing.T) *openapi3.T {
	t.Helper()
	raw, err := app.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("the served openapi.yaml is not valid: %v", err)
	}
	return doc
}
