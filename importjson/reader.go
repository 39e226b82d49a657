// Package importjson imports the JSON files of the old Flask service
// (emails.json, validation_jobs.json, api_keys.json, crm_configs.json,
// crm_uploads.json) into one tenant: past verifications become history
// and cache entries, jobs and CRM uploads lists, keys hashed keys, CRM
// configs disabled webhook endpoints. Each file is read as a stream, one
// record at a time, and imported in one transaction; import_records
// remembers every source id so that a second run imports nothing new.
package importjson

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Record is one object of a file, read on its own.
type Record struct {
	Index  int    // 1-based position in the file
	Key    string // its key, when the file is an object keyed by id
	Fields Fields // nil when the value is not an object (Err says so)
	Err    error  // why the value is not a record
}

// errNotObject: a value of the file is not a JSON object.
var errNotObject = errors.New("not a JSON object")

// Each calls fn with every record of r, in order: r holds a JSON array of
// objects or an object keyed by id. It walks the top level with the
// Decoder's token API and decodes one value at a time, so memory holds
// one record however large the file. A value that is not an object is
// passed with Err set; a syntax error stops the file (what follows it
// cannot be trusted), as does an error fn returns.
func Each(r io.Reader, fn func(Record) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	tok, err := dec.Token()
	if errors.Is(err, io.EOF) {
		return errors.New("empty file: want a JSON array of objects or an object keyed by id")
	}
	if err != nil {
		return syntaxAt(dec, err)
	}
	open, ok := tok.(json.Delim)
	if !ok || (open != '[' && open != '{') {
		return errors.New("want a JSON array of objects or an object keyed by id")
	}
	for i := 1; dec.More(); i++ {
		rec := Record{Index: i}
		if open == '{' {
			tok, err := dec.Token()
			if err != nil {
				return syntaxAt(dec, err)
			}
			rec.Key, _ = tok.(string) // inside an object the decoder only yields string keys
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntaxAt(dec, err)
		}
		if len(raw) == 0 || raw[0] != '{' {
			rec.Err = errNotObject
		} else if err := json.Unmarshal(raw, &rec.Fields); err != nil {
			rec.Err = err // raw is valid JSON here, so this does not happen; kept for safety
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ] or }
		return syntaxAt(dec, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("data after the end of the JSON value (byte %d)", dec.InputOffset())
	}
	return nil
}

func syntaxAt(dec *json.Decoder, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("the file ends in the middle of a JSON value (byte %d)", dec.InputOffset())
	}
	return fmt.Errorf("invalid JSON near byte %d: %w", dec.InputOffset(), err)
}

// SourceID is the record's id in the old service: its key in a file
// keyed by id, else its "id" (or "_id", "uuid") field, else a digest of
// its content, so that a record without an id is still imported once.
func (r Record) SourceID() string {
	if r.Key != "" {
		return r.Key
	}
	if id, ok := r.Fields.String("id", "_id", "uuid"); ok && id != "" {
		return id
	}
	canonical, _ := json.Marshal(r.Fields) // map keys sorted: the same record, the same digest
	sum := sha256.Sum256(canonical)
	return "sha256:" + hex.EncodeToString(sum[:16])
}
