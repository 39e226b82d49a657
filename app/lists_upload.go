package app

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"mailvet/lists"
	"mailvet/lists/csvin"
)

// upload is a list upload read from a request, with the file part still
// unread so it streams into the store.
type upload struct {
	in   lists.NewList
	part *multipart.Part
}

// readMultipartUpload reads the option fields that come before the file
// part, stopping at the file so that it can be streamed. Options sent
// after the file are ignored (send them first, as `curl -F` does in order).
func (s *Server) readMultipartUpload(w http.ResponseWriter, r *http.Request) (*upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.UploadMaxBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, fmt.Errorf("expected a multipart/form-data upload with a `file` part: %w", err)
	}
	u := &upload{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the upload has no `file` part")
		}
		if err != nil {
			return nil, err
		}
		if part.FormName() == "file" {
			if u.in.Name == "" {
				u.in.Name = strings.TrimSuffix(path.Base(part.FileName()), path.Ext(part.FileName()))
			}
			u.part = part
			return u, nil
		}
		value, err := io.ReadAll(io.LimitReader(part, 1024))
		if err != nil {
			return nil, err
		}
		v := strings.TrimSpace(string(value))
		switch part.FormName() {
		case "name":
			u.in.Name = v
		case "dedupe":
			u.in.Dedupe = v
		case "email_column":
			u.in.EmailColumn = v
		}
	}
}

// validateUpload checks the options; it returns the field and message of
// the first problem.
func validateUpload(in *lists.NewList) (string, string) {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		in.Name = "Untitled list"
	}
	if utf8.RuneCountInString(in.Name) > 200 { // characters, as the column's CHECK counts them
		return "name", "Use at most 200 characters."
	}
	if in.Dedupe != "" && !csvin.ValidDedupeMode(in.Dedupe) {
		return "dedupe", "Choose one of: none, exact, case_insensitive, provider_aware."
	}
	return "", ""
}

// uploadError explains why an upload was refused: the HTTP status, a
// stable code and a sentence for people.
func (s *Server) uploadError(err error) (int, string, string) {
	var fileErr *csvin.FileError
	var tooMany *csvin.TooManyRowsError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge, "file_too_large", fmt.Sprintf("The upload is larger than %d MB.", s.UploadMaxBytes>>20)
	case errors.As(err, &tooMany):
		return http.StatusUnprocessableEntity, "too_many_rows", fmt.Sprintf("The file has more than %d rows; split it into smaller lists.", tooMany.Limit)
	case errors.As(err, &fileErr):
		return http.StatusUnprocessableEntity, "invalid_file", "The file could not be read: " + fileErr.Error() + ". Nothing was stored."
	case errors.Is(err, lists.ErrEmpty):
		return http.StatusUnprocessableEntity, "invalid_file", "The file has no rows. Nothing was stored."
	case errors.Is(err, lists.ErrIdempotencyMismatch):
		return http.StatusUnprocessableEntity, "idempotency_key_reused", "This Idempotency-Key was already used with a different request."
	}
	return 0, "", ""
}

func listID(r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	return id, err == nil
}
