package perf

import "testing"

func TestTemplateKeepsShapeDropsValues(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT * FROM users WHERE email = 'jane@example.com' AND id = 42`, `SELECT * FROM users WHERE email = ? AND id = ?`},
		{`SELECT 'it''s', E'a\'b', $x$secret$x$, $$more$$`, `SELECT ?, ?, ?, ?`},
		{`SELECT "t1".c2 FROM t1 WHERE a = $1 AND b > 3.5e3`, `SELECT "t1".c2 FROM t1 WHERE a = $1 AND b > ?`},
		{`SELECT pg_sleep(0.3)`, `SELECT pg_sleep(?)`},
		{`INSERT INTO x VALUES ('unterminated`, `INSERT INTO x VALUES (?`},
	} {
		if got := Template(c.in); got != c.want {
			t.Errorf("Template(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
