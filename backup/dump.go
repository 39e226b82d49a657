package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Runner takes and restores dumps with the PostgreSQL client programs.
type Runner struct {
	S3 S3Config
	// PgDump, PgRestore and Psql are the programs; empty: pg_dump,
	// pg_restore and psql on PATH. pg_dump's major version must be at
	// least the server's.
	PgDump, PgRestore, Psql string
}

// Result describes a dump taken.
type Result struct {
	Target Target // where it went (a prefix target resolved to its name)
	Bytes  int64
}

// Backup dumps the database at databaseURL to the target, as one
// consistent snapshot (pg_dump's single repeatable-read transaction) in
// the custom format. A failed dump leaves nothing that looks like a
// backup: a file is written under a temporary name and renamed when
// pg_dump has succeeded; an S3 upload is aborted.
func (r Runner) Backup(ctx context.Context, databaseURL string, to Target) (Result, error) {
	to = to.Named(time.Now())
	cmd, stderr, err := r.command(ctx, r.PgDump, "pg_dump", databaseURL, "--format=custom")
	if err != nil {
		return Result{}, err
	}
	var n int64
	if to.IsS3() {
		n, err = r.dumpToS3(ctx, cmd, stderr, to)
	} else {
		n, err = dumpToFile(cmd, stderr, to.Path)
	}
	if err != nil {
		return Result{}, err
	}
	return Result{Target: to, Bytes: n}, nil
}

func dumpToFile(cmd *exec.Cmd, stderr *tail, path string) (int64, error) {
	dir := filepath.Dir(path)
	// Same directory, so the rename is atomic; 0600 (CreateTemp's mode):
	// a dump holds every tenant's data.
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return 0, err
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// A regular file, not a pipe: pg_dump can seek and records where each
	// table's data is, which pg_restore --jobs needs.
	cmd.Stdout = tmp
	if err := cmd.Run(); err != nil {
		return 0, programFailed("pg_dump", err, stderr)
	}
	if err := tmp.Sync(); err != nil {
		return 0, err
	}
	info, err := tmp.Stat()
	if err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	done = true
	return info.Size(), syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func (r Runner) dumpToS3(ctx context.Context, cmd *exec.Cmd, stderr *tail, to Target) (int64, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, programFailed("pg_dump", err, stderr)
	}
	body := &exitChecked{r: out, wait: cmd.Wait}
	n, upErr := r.S3.upload(ctx, to, body)
	if !body.waited {
		// The upload stopped reading early (it failed): stop pg_dump too.
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if upErr == nil {
			upErr = fmt.Errorf("upload to %s ended before the dump did", to)
		}
		return 0, upErr
	}
	if body.exitErr != nil {
		return 0, programFailed("pg_dump", body.exitErr, stderr)
	}
	return n, upErr
}

// exitChecked reads a program's output and, at its end, waits for the
// program: a program that failed turns the end into an error, so what it
// feeds (an upload, a restore's transaction) is aborted rather than
// completed with a truncated dump.
type exitChecked struct {
	r       io.Reader
	wait    func() error
	waited  bool
	exitErr error
}

func (e *exitChecked) Read(p []byte) (int, error) {
	if e.waited {
		return 0, e.end()
	}
	n, err := e.r.Read(p)
	if errors.Is(err, io.EOF) {
		e.waited, e.exitErr = true, e.wait()
		return n, e.end()
	}
	return n, err
}

func (e *exitChecked) end() error {
	if e.exitErr != nil {
		return errors.New("the program writing the dump failed")
	}
	return io.EOF
}

// command prepares a PostgreSQL client program (against databaseURL
// unless empty); its stderr's tail is kept for the error message.
func (r Runner) command(ctx context.Context, program, dflt, databaseURL string, args ...string) (*exec.Cmd, *tail, error) {
	if program == "" {
		program = dflt
	}
	cmd := exec.CommandContext(ctx, program, append([]string{"--no-password"}, args...)...)
	cmd.Env = append(os.Environ(), "PGAPPNAME=mailvet-"+strings.TrimPrefix(dflt, "pg_"))
	if databaseURL != "" {
		conn, password, err := libpqConn(databaseURL)
		if err != nil {
			return nil, nil, err
		}
		cmd.Args = append(cmd.Args, "--dbname="+conn)
		if password != "" {
			cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
		}
	}
	stderr := &tail{max: 4096}
	cmd.Stderr = stderr
	return cmd, stderr, nil
}

func programFailed(name string, err error, stderr *tail) error {
	msg := strings.TrimSpace(stderr.String())
	if strings.Contains(msg, "row-level security") {
		// pg_dump's own hint (NO FORCE ROW LEVEL SECURITY) would switch
		// the tenant guard off; the login is what is wrong.
		msg += "\n(the backup login must bypass row-level security: a superuser, or a role with BYPASSRLS and pg_read_all_data; set MAILVET_BACKUP_DATABASE_URL to it)"
	}
	if msg == "" {
		return fmt.Errorf("%s failed: %w", name, err)
	}
	return fmt.Errorf("%s failed (%v):\n%s", name, err, msg)
}

// tail keeps the last max bytes written to it.
type tail struct {
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tail) String() string { return string(t.buf) }
