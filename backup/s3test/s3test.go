// Package s3test runs an S3-compatible server (gofakes3, in memory) on a
// loopback listener, for the tests of backups to S3. Only tests import
// it: the production binary has no S3 server in it.
package s3test

import (
	"net/http/httptest"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// Server is a running S3-compatible server with one bucket.
type Server struct {
	Endpoint string // http://127.0.0.1:port
	Bucket   string
	Backend  *s3mem.Backend
}

// Start starts the server with the bucket, stopped when t ends. It accepts
// any credentials.
func Start(t testing.TB, bucket string) *Server {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	return &Server{Endpoint: srv.URL, Bucket: bucket, Backend: backend}
}

// Keys lists the bucket's objects.
func (s *Server) Keys(t testing.TB) []string {
	t.Helper()
	list, err := s.Backend.ListBucket(s.Bucket, &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range list.Contents {
		keys = append(keys, c.Key)
	}
	return keys
}
