package views

// AdminAlerts is the console's alert rules and the form that adds one.
type AdminAlerts struct {
	Rules   []AdminAlertRow
	Form    Form
	Webhook string // where notices are posted, or a note that they are not
}

// AdminAlertRow is one rule and its state.
type AdminAlertRow struct {
	ID, Name, Condition, State, StateClass, Since, LastValue, Evaluated string
	Enabled                                                             bool
}

// AdminAlert is one rule's edit page.
type AdminAlert struct {
	ID, Name string
	Form     Form
}

// alertMetrics are the metrics a rule watches, with what they measure.
var alertMetrics = []option{
	{"error_rate", "API 5xx error rate, % (last 5 minutes; target: a route or all)"},
	{"route_p95", "p95 latency of a route, ms (last 5 minutes; target: the route, e.g. POST /v1/verify)"},
	{"queue_lag", "Queue lag, s (oldest due job; target: a queue or all)"},
	{"dead_letters", "Webhook dead letters in the last hour"},
	{"failed_runs", "Failed scheduled runs in the last hour"},
	{"request_log_drops", "API request log entries lost in the last hour"},
	{"health_check", "Health checks failing (target: database, migrations, or all)"},
}
