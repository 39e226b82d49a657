// Package csvin reads uploaded contact lists (CSV or plain text, up to
// about a million rows) as a stream: NewReader sniffs the start of the
// input to work out its layout, then Next yields one Row at a time, so
// neither the file nor the list is ever held in memory.
//
// # Decisions
//
//   - Input must be UTF-8; a leading byte-order mark is dropped. UTF-16,
//     .xlsx and .xls files are refused up front with a message saying so;
//     any other invalid UTF-8 is a *FileError naming the line.
//   - The delimiter is chosen among comma, semicolon and tab by counting
//     occurrences outside quotes in the first records: the one whose most
//     common field count (above one) covers the most records wins, then
//     the one that yields a column of addresses. When none splits at
//     least half of the records the file is plain text: one value per
//     line, quotes taken literally (except that a line that is entirely
//     one quoted CSV field is unquoted).
//   - CSV follows RFC 4180 strictly through encoding/csv (no lazy quotes):
//     a stray quote refuses the file. CRLF, LF and old-Mac CR line ends
//     are accepted. Blank lines are ignored anywhere; lines holding only
//     whitespace or empty fields are yielded as "empty_row" skips, which
//     do not count towards MaxRows.
//   - Bounds: a physical line may be at most MaxLineBytes long (line end
//     excluded); a record, which may span lines inside a quoted field, at
//     most 16 × MaxLineBytes (1 MiB by default), so an unclosed quote
//     cannot make the reader buffer the rest of the file. The sniff
//     buffer is 64 KiB.
//   - Errors: a malformed file gives a *FileError with the line number;
//     too many rows gives a *TooManyRowsError (errors.Is ErrTooManyRows);
//     anything else comes from the underlying reader. After an error the
//     Reader keeps returning it.
//   - See NewReader for header and email-column detection, and DedupeKey
//     for duplicate detection.
package csvin
