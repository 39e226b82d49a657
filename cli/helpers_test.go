package cli_test

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"

	"mailvet/cli"
)

func envOf(m map[string]string) cli.Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// runCLI runs the command in this process and returns its exit status,
// stdout and stderr.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errOut, envOf(env))
	return code, out.String(), errOut.String()
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
