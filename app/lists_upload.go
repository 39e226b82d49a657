package app

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"mailvet/lists"
	"mailvet/lists/csvin"
)

// upload is a list upload read from a request, with the file part still
// unread so it streams into the store.
type upload struct {
	in   lists.NewList
	part io.Reader
}

// readMultipartUpload reads the option fields that come before the file
// part, stopping at the file so that it can be streamed. Options sent
// after the file are ignored (send them first, as `curl -F` does in order).
// Its errors, and those of reading the part later, say whose fault they
// are: an *uploadTooLargeError, a *bodyError (cut short), an *inputError.
func (s *Server) readMultipartUpload(w http.ResponseWriter, r *http.Request) (*upload, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.UploadMaxBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("file", "Send a multipart/form-data upload with a `file` part.")
	}
	u := &upload{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, badRequest("file", "Choose a file to upload: the upload has no `file` part.")
		}
		if err != nil {
			return nil, uploadReadError(err)
		}
		if part.FormName() == "file" {
			if u.in.Name == "" {
				u.in.Name = nameFromFile(part.FileName())
			}
			u.part = uploadPart{part}
			return u, nil
		}
		value, err := io.ReadAll(io.LimitReader(part, 1024))
		if err != nil {
			return nil, uploadReadError(err)
		}
		v := strings.TrimSpace(string(value))
		if e := checkText(part.FormName(), v); e != nil {
			return nil, e
		}
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

// uploadPart hands the file to the store, translating read errors.
type uploadPart struct{ p *multipart.Part }

func (u uploadPart) Read(b []byte) (int, error) {
	n, err := u.p.Read(b)
	if err != nil && err != io.EOF {
		err = uploadReadError(err)
	}
	return n, err
}

// uploadReadError says why reading an upload failed: too large, or cut
// short (a truncated multipart body ends in io.ErrUnexpectedEOF).
func uploadReadError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &uploadTooLargeError{limit: tooLarge.Limit}
	}
	return &bodyError{err}
}

// nameFromFile is the list's name when the upload names none: the file
// name without extension, with no control characters.
func nameFromFile(file string) string {
	name := strings.TrimSuffix(path.Base(file), path.Ext(file))
	return strings.TrimSpace(strings.Map(func(c rune) rune {
		if unicode.IsControl(c) {
			return -1
		}
		return c
	}, strings.ToValidUTF8(name, "")))
}

// validateUpload checks the options.
func validateUpload(in *lists.NewList) error {
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || in.Name == "." {
		in.Name = "Untitled list"
	}
	if e := checkText("name", in.Name); e != nil {
		return e
	}
	if utf8.RuneCountInString(in.Name) > 200 { // characters, as the column's CHECK counts them
		return invalidField("name", "Use at most 200 characters.")
	}
	if in.Dedupe != "" && !csvin.ValidDedupeMode(in.Dedupe) {
		return invalidField("dedupe", "Choose one of: none, exact, case_insensitive, provider_aware.")
	}
	return nil
}

func listID(r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	return id, err == nil
}
