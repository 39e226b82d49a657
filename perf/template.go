package perf

import "strings"

// Template is sql with every literal value replaced by ?: quoted strings
// (also E'…' and dollar-quoted ones) and numbers. bun formats a builder's
// values into the SQL it sends, so the slow-query log keeps this instead:
// the shape of the statement, never a tenant's data. Identifiers in
// double quotes, comments' text and $n placeholders are kept.
func Template(sql string) string {
	var b strings.Builder
	b.Grow(len(sql))
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '\'':
			i = skipQuoted(sql, i)
			b.WriteByte('?')
		case c == '$' && (i == 0 || !isWord(sql[i-1])):
			if end, ok := dollarQuoted(sql, i); ok {
				b.WriteByte('?')
				i = end
				continue
			}
			b.WriteByte(c) // $1: a placeholder
			i++
			for i < len(sql) && isDigit(sql[i]) {
				b.WriteByte(sql[i])
				i++
			}
		case c == '"':
			end := strings.IndexByte(sql[i+1:], '"')
			if end < 0 {
				end = len(sql) - i - 1
			}
			b.WriteString(sql[i : i+end+2])
			i += end + 2
		case isDigit(c) && (i == 0 || !isWord(sql[i-1])):
			for i < len(sql) && (isDigit(sql[i]) || sql[i] == '.' || sql[i] == 'e' || sql[i] == 'E') {
				i++
			}
			b.WriteByte('?')
		default:
			if (c == 'E' || c == 'e') && i+1 < len(sql) && sql[i+1] == '\'' && (i == 0 || !isWord(sql[i-1])) {
				i++ // E'…': the quote is next
				continue
			}
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// skipQuoted returns the index after the string literal opening at i
// (a doubled quote inside is a quote; a backslash escapes in E'…' strings, and
// skipping it is harmless in the others).
func skipQuoted(sql string, i int) int {
	for j := i + 1; j < len(sql); j++ {
		switch sql[j] {
		case '\\':
			j++
		case '\'':
			if j+1 < len(sql) && sql[j+1] == '\'' {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(sql)
}

// dollarQuoted recognises $tag$…$tag$ at i and returns the index after it.
func dollarQuoted(sql string, i int) (int, bool) {
	j := i + 1
	for j < len(sql) && isWord(sql[j]) && !isDigit(sql[i+1]) {
		j++
	}
	if j >= len(sql) || sql[j] != '$' {
		return 0, false
	}
	tag := sql[i : j+1]
	end := strings.Index(sql[j+1:], tag)
	if end < 0 {
		return len(sql), true
	}
	return j + 1 + end + len(tag), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWord(c byte) bool {
	return c == '_' || isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80
}
