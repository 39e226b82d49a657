package app

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"net"
	"net/http"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"
)

// retryAfterOutage is what clients are told to wait during a database
// outage: long enough not to hammer a database coming back, short enough
// that a fail-over (tens of seconds) is not noticed for long.
const retryAfterOutage = 10

// unavailableRow answers a request the database could not serve.
var unavailableRow = errorRow{status: http.StatusServiceUnavailable, code: "service_unavailable", title: "Service unavailable",
	detail:  "The service cannot reach its database right now; nothing was changed or charged. Retry after " + strconv.Itoa(retryAfterOutage) + " seconds.",
	page:    "We cannot reach our database right now, so nothing was changed. Please try again in a few seconds.",
	headers: map[string]string{"Retry-After": strconv.Itoa(retryAfterOutage)}}

// databaseUnavailable reports whether err says the database could not be
// reached or went away, as opposed to refusing one statement: a failed
// connect, a broken network connection, the server shutting down or out
// of connections, or a connection not acquired in time.
func databaseUnavailable(err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	var pgErr *pgconn.PgError
	switch {
	case err == nil:
		return false
	case errors.As(err, &connectErr), errors.As(err, &netErr):
		return true
	case errors.As(err, &pgErr):
		// 08: connection exception; 57P01-57P03: admin shutdown, crash
		// shutdown, cannot connect now; 53300: too many connections.
		return len(pgErr.Code) == 5 && pgErr.Code[:2] == "08" || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03" || pgErr.Code == "53300"
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone), pgconn.SafeToRetry(err):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		// A deadline met while waiting for the pool or the server.
		return true
	}
	return false
}
