package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"mailvet/verify"
	"mailvet/wiring"
)

// maxCheckLine bounds one stdin line; longer lines cannot be addresses.
const maxCheckLine = 4096

// cmdCheck verifies addresses given as arguments, or one per stdin line,
// printing one result per line in input order: address, status, reason
// and score, tab-separated (the address quoted when it is not plain).
func cmdCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env Env) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print each result as JSON (the API's shape)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: mailvet check [--json] [EMAIL…]   (addresses from stdin, one per line, when none are given)")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	engine, err := wiring.NewEngine(cfg)
	if err != nil {
		return err
	}
	defer engine.Close()

	emails := fs.Args()
	if len(emails) == 0 {
		sc := bufio.NewScanner(stdin)
		sc.Buffer(make([]byte, 0, 64*1024), maxCheckLine)
		for sc.Scan() {
			if line := strings.TrimSpace(sc.Text()); line != "" {
				emails = append(emails, line)
			}
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("read stdin: %w", err)
		}
	}

	w := bufio.NewWriter(stdout)
	defer w.Flush()
	enc := json.NewEncoder(w)
	// Results arrive out of order; print each as soon as every earlier
	// one has been printed.
	held := map[int]verify.Result{}
	next := 0
	printResult := func(r verify.Result) {
		if *asJSON {
			_ = enc.Encode(r)
			return
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\n", field(r.Email), r.Status, r.Reason, r.Score)
	}
	engine.VerifyBatch(ctx, emails, verify.Share{}, func(i int, r verify.Result) {
		held[i] = r
		for {
			r, ok := held[next]
			if !ok {
				return
			}
			delete(held, next)
			printResult(r)
			next++
		}
	})
	return ctx.Err()
}

// field is s as one tab-separated field: unchanged when it is plain, else
// Go-quoted, so that a tab, CR, LF or other invisible character in an
// address can neither split its line nor hide. An address that itself
// starts with a double quote (a quoted local part) is quoted too, so a
// leading quote always means "unquote me".
func field(s string) string {
	q := strconv.Quote(s)
	if s == "" || s[0] == '"' || q != `"`+s+`"` {
		return q
	}
	return s
}
