package backup

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"testing"

	"mailvet/backup/s3test"
)

func testS3(t *testing.T) (S3Config, *s3test.Server) {
	srv := s3test.Start(t, "dumps")
	return S3Config{Endpoint: srv.Endpoint, Region: "us-east-1", AccessKeyID: "k", SecretAccessKey: "s",
		PathStyle: true, PartSize: 5 << 20}, srv
}

// A dump larger than a part goes up in parts, byte for byte.
func TestUploadStreamsInParts(t *testing.T) {
	cfg, _ := testS3(t)
	want := make([]byte, 12<<20) // three parts of 5 MiB
	rand.Read(want)
	dump := &exitChecked{r: bytes.NewReader(want), wait: func() error { return nil }}
	to := Target{Bucket: "dumps", Key: "big.dump"}
	n, err := cfg.upload(context.Background(), to, dump)
	if err != nil || n != int64(len(want)) {
		t.Fatalf("upload: %d bytes, %v", n, err)
	}
	var got bytes.Buffer
	if err := cfg.download(context.Background(), to, &got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatalf("downloaded %d bytes that differ from the %d uploaded", got.Len(), len(want))
	}
}

// pg_dump failing after two parts went up: the upload is aborted, and no
// object (complete or partial) is in the bucket.
func TestFailingDumpAbortsTheUpload(t *testing.T) {
	cfg, srv := testS3(t)
	dump := &exitChecked{r: io.LimitReader(rand.Reader, 12<<20), wait: func() error { return errors.New("exit status 1") }}
	_, err := cfg.upload(context.Background(), Target{Bucket: "dumps", Key: "broken.dump"}, dump)
	if err == nil {
		t.Fatal("the upload of a failed dump succeeded")
	}
	if keys := srv.Keys(t); len(keys) != 0 {
		t.Fatalf("a failed dump left objects %v", keys)
	}
	client, err := cfg.client()
	if err != nil {
		t.Fatal(err)
	}
	for u := range client.ListIncompleteUploads(context.Background(), "dumps", "", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		t.Errorf("a failed dump left the multipart upload %s of %s", u.UploadID, u.Key)
	}
}
