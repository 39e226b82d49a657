package secretbox

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDevKeyringCreatesOnceThenReuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".data", "secret.key")

	first, created, err := DevKeyring(path)
	if err != nil || !created {
		t.Fatalf("first DevKeyring: created=%v err=%v", created, err)
	}
	ring := mustParse(t, first)
	sealed, err := ring.Seal([]byte("kept across restarts"), signingContext)
	if err != nil {
		t.Fatal(err)
	}

	second, created, err := DevKeyring(path)
	if err != nil || created {
		t.Fatalf("second DevKeyring: created=%v err=%v", created, err)
	}
	if second != first {
		t.Fatal("second DevKeyring returned another ring")
	}
	if got, err := mustParse(t, second).Open(sealed, signingContext); err != nil || string(got) != "kept across restarts" {
		t.Fatalf("reloaded ring opens: %q, %v", got, err)
	}

	file, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := file.Mode().Perm(); mode != 0o600 {
		t.Fatalf("key file mode %o, want 600", mode)
	}
	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if mode := dir.Mode().Perm(); mode != 0o700 {
		t.Fatalf("key directory mode %o, want 700", mode)
	}
}

func TestDevKeyringReportsDamagedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	if err := os.WriteFile(path, []byte("not a ring\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := DevKeyring(path); err == nil {
		t.Fatal("damaged key file accepted")
	}
}
