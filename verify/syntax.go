package verify

import (
	"time"

	"mailvet/verify/address"
)

// SyntaxVerdict is the verdict on an address that does not parse:
// undeliverable/invalid_syntax, final, found without any network. ok is
// false when raw parses (a verdict needs the engine). The engine, test
// mode and callers that sort addresses before the engine (list uploads,
// which give such rows their verdict at once and charge nothing for them)
// all answer with it, so an invalid address reads the same everywhere.
func SyntaxVerdict(raw string) (r Result, ok bool) {
	if _, problem := address.Parse(raw); problem != nil {
		return invalidSyntax(raw, problem, time.Now()), true
	}
	return Result{}, false
}

// invalidSyntax is SyntaxVerdict's result for a parse problem found at
// start.
func invalidSyntax(raw string, problem *address.Problem, start time.Time) Result {
	r := Result{Email: raw, CheckedAt: start.UTC(), Status: Undeliverable, Reason: ReasonInvalidSyntax, Detail: problem.Message}
	return finish(r, start)
}
