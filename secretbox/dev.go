package secretbox

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// devKeyID names the key of a development ring, so a value sealed with it
// is recognisable should it ever reach another environment.
const devKeyID = "dev"

// DevKeyring loads the development key ring stored at path, or makes one
// there (file 0600, parent directory 0700) when there is none, so a
// developer never has to set MAILVET_SECRET_KEY yet keeps the same key
// across restarts. created tells the caller to log where the key was made.
func DevKeyring(path string) (ring string, created bool, err error) {
	ring, err = readKeyringFile(path)
	if err == nil {
		return ring, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", false, fmt.Errorf("development secret key: %w", err)
	}
	key := make([]byte, keySize)
	if _, err := rand.Read(key); err != nil {
		return "", false, fmt.Errorf("development secret key: %w", err)
	}
	ring = devKeyID + ":" + base64.StdEncoding.EncodeToString(key)
	// O_EXCL: when two processes start at once, the second reads the
	// first one's key instead of replacing it (which would make values
	// the first already sealed unreadable).
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		ring, err = readKeyringFile(path)
		return ring, false, err
	}
	if err != nil {
		return "", false, fmt.Errorf("development secret key: %w", err)
	}
	_, writeErr := file.WriteString(ring + "\n")
	closeErr := file.Close()
	if err := errors.Join(writeErr, closeErr); err != nil {
		return "", false, fmt.Errorf("development secret key %s: %w", path, err)
	}
	return ring, true, nil
}

// readKeyringFile returns the ring in path after checking it parses, so a
// damaged file is reported here rather than as a failure to open secrets.
func readKeyringFile(path string) (string, error) {
	content, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	ring := strings.TrimSpace(string(content))
	if _, err := ParseKeyring(ring); err != nil {
		return "", fmt.Errorf("development secret key %s: %w", path, err)
	}
	return ring, nil
}
