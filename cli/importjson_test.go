package cli_test

import (
	"strings"
	"testing"

	"mailvet/db/dbtest"
)

// import-json parses DIR and its flags, prints the importer's report
// (the same for a dry run, which writes nothing) and a second run
// imports nothing new.
func TestImportJSONCommand(t *testing.T) {
	_, url := dbtest.NewWithURL(t)
	env := map[string]string{"DATABASE_URL": url, "MAILVET_DB_ROLE": dbtest.Role, "MAILVET_LOG_LEVEL": "error"}
	if code, _, errOut := runCLI(t, env, "admin", "create-user", "--email", "ops@acme.test"); code != 0 {
		t.Fatalf("create-user: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "admin", "create-tenant", "--name", "Acme", "--owner-email", "ops@acme.test"); code != 0 {
		t.Fatalf("create-tenant: %d %s", code, errOut)
	}
	const dir = "../importjson/testdata/oldservice"
	code, dry, errOut := runCLI(t, env, "import-json", dir, "--tenant", "acme", "--dry-run")
	if code != 0 || !strings.HasPrefix(dry, "dry run: nothing was written\n") || !strings.Contains(dry, "emails.json: 12 read, 7 imported") {
		t.Fatalf("dry run: %d\n%s\n%s", code, dry, errOut)
	}
	code, out, errOut := runCLI(t, env, "import-json", "--tenant", "acme", dir)
	if code != 0 || out != strings.TrimPrefix(dry, "dry run: nothing was written\n") {
		t.Fatalf("import (flags first): %d\n%s\n%s\ndry run said:\n%s", code, out, errOut, dry)
	}
	if !strings.Contains(out, `skipped: key too short`) || !strings.Contains(out, `skipped: URL is not http(s)`) {
		t.Fatalf("the report lists no skips:\n%s", out)
	}
	code, again, _ := runCLI(t, env, "import-json", dir, "--tenant", "acme")
	if code != 0 || !strings.Contains(again, "emails.json: 12 read, 0 imported, 7 already imported, 5 skipped") {
		t.Fatalf("second run: %d\n%s", code, again)
	}

	if code, _, errOut := runCLI(t, env, "import-json", dir, "--tenant", "nope"); code != 1 || !strings.Contains(errOut, `no tenant with slug "nope"`) {
		t.Errorf("unknown tenant: exit %d, %s", code, errOut)
	}
	for _, bad := range [][]string{{"import-json"}, {"import-json", dir}, {"import-json", "--tenant", "acme"}, {"import-json", dir, "extra", "--tenant", "acme"}} {
		if code, _, _ := runCLI(t, env, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)", bad, code)
		}
	}
}
