package app

// OpenAPIDocument is the document /v1/openapi.yaml serves, for the tests
// that need no server.
func OpenAPIDocument() ([]byte, error) { return servedOpenAPI(openAPIDocument) }
