package backup

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// S3Config reaches an S3-compatible object store (AWS S3, MinIO, R2,
// Backblaze, …).
type S3Config struct {
	// Endpoint is the store's URL; https:// or http:// decides TLS.
	Endpoint string
	Region   string
	// Static credentials; without AccessKeyID the instance's IAM role
	// (EC2, ECS, EKS) is asked for them.
	AccessKeyID, SecretAccessKey, SessionToken string
	// PathStyle addresses buckets as ENDPOINT/BUCKET rather than
	// BUCKET.ENDPOINT (off: virtual-host on AWS, path elsewhere).
	PathStyle bool
	// PartSize is the size of one part of a multipart upload, which is
	// what an upload holds in memory; zero: DefaultPartSize.
	PartSize uint64
}

// DefaultPartSize is an upload's part size: one part is held in memory,
// and S3's 10,000 parts cap a dump at 640 GiB.
const DefaultPartSize = 64 << 20

func (c S3Config) client() (*minio.Client, error) {
	u, err := url.Parse(c.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("S3 endpoint %q: want https://host[:port]", c.Endpoint)
	}
	creds := credentials.NewIAM("")
	if c.AccessKeyID != "" {
		creds = credentials.NewStaticV4(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)
	}
	lookup := minio.BucketLookupAuto
	if c.PathStyle {
		lookup = minio.BucketLookupPath
	}
	return minio.New(u.Host, &minio.Options{
		Creds: creds, Secure: u.Scheme == "https", Region: c.Region, BucketLookup: lookup,
	})
}

// upload streams body to the object in parts of PartSize: the whole dump
// is never in memory. An error from body (pg_dump failing halfway) aborts
// the multipart upload, so no truncated object appears.
func (c S3Config) upload(ctx context.Context, to Target, body io.Reader) (int64, error) {
	client, err := c.client()
	if err != nil {
		return 0, err
	}
	info, err := client.PutObject(ctx, to.Bucket, to.Key, body, -1, minio.PutObjectOptions{
		ContentType: "application/vnd.postgresql.custom-dump",
		PartSize:    cmp.Or(c.PartSize, DefaultPartSize),
		// Over plain http too the payload goes unsigned, as minio-go sends
		// it over https: the chunk-signed form is one more encoding for a
		// store to get right, and some S3-compatible ones (gofakes3) keep a
		// multipart part's chunk signatures as data. Each part carries its
		// Content-MD5 instead, which the store checks.
		DisableContentSha256: true,
		SendContentMd5:       true,
	})
	if err != nil {
		return 0, fmt.Errorf("upload to %s: %w", to, err)
	}
	return info.Size, nil
}

// download copies the object to w.
func (c S3Config) download(ctx context.Context, from Target, w io.Writer) error {
	client, err := c.client()
	if err != nil {
		return err
	}
	obj, err := client.GetObject(ctx, from.Bucket, from.Key, minio.GetObjectOptions{})
	if err != nil {
		return fmt.Errorf("download %s: %w", from, err)
	}
	defer obj.Close()
	if _, err := io.Copy(w, obj); err != nil {
		var resp minio.ErrorResponse
		if errors.As(err, &resp) && resp.Code == minio.NoSuchKey {
			return fmt.Errorf("download %s: no such object", from)
		}
		return fmt.Errorf("download %s: %w", from, err)
	}
	return nil
}
