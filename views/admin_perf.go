package views

// AdminPerformance is the console's performance page.
type AdminPerformance struct {
	Hour, Day     []AdminRouteRow
	Requests      BarChart // the last hour's API requests per minute
	Verifications BarChart // the last hour's verifications per minute
	Queues        []AdminQueueRow
	Slow          []AdminSlowRow
	SlowThreshold string
}

// AdminRouteRow is one route's figures over a window.
type AdminRouteRow struct{ Route, Requests, PerMinute, ErrorRate, P50, P95, P99 string }

// AdminQueueRow is one River queue's backlog.
type AdminQueueRow struct{ Queue, Available, Lag string }

// AdminSlowRow is one slow statement.
type AdminSlowRow struct {
	When, Duration, Source, Template string
	Failed                           bool
}
