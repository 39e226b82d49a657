package app

import "testing"

// BenchmarkServedOpenAPI measures what building the served document (code
// samples, problem examples, webhooks) adds to a server's start.
func BenchmarkServedOpenAPI(b *testing.B) {
	for b.Loop() {
		if _, err := servedOpenAPI(openAPIDocument); err != nil {
			b.Fatal(err)
		}
	}
}
