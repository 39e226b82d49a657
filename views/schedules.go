package views

// ListSchedule is the re-validation part of a list's page.
type ListSchedule struct {
	// Set: the list has a schedule (the fields below describe it).
	Set       bool
	Every     string // daily, weekly, monthly, cron
	Cron      string
	TimeZone  string
	Paused    bool
	NextRun   string // "7 Dec 2026 02:00 UTC", or "" while paused
	Form      Form   // the schedule form, with its values and errors
	CanManage bool   // owners and admins set and remove schedules
	CanRun    bool   // the list finished its first verification
	Runs      []RunRow
	Trend     BarChart // the deliverable share over the completed runs
	HasTrend  bool
	Active    bool // a run is queued or running: the history refreshes itself
}

// RunRow is one run in a list's history.
type RunRow struct {
	ID          string
	When        string
	Trigger     string // "schedule" or "manual"
	Status      string
	Checked     int
	Changed     int
	Share       string // "86.0%" or "" before it completed
	Failure     string
	Cancellable bool
}

// RunReport is one run's decay report page.
type RunReport struct {
	ListID, ListName string
	Run              RunRow
	Total            int
	Unconfirmed      int
	Counts           [4]int // deliverable, undeliverable, risky, unknown after the run
	Transitions      []RunTransition
	Changes          []RunChange
	NextCursor       string
}

// RunTransition is a line of the decay report.
type RunTransition struct {
	From, To string
	Count    int
}

// RunChange is one changed address.
type RunChange struct {
	Row       int
	Email     string
	OldStatus string
	NewStatus string
	NewReason string
}

// everyOptions are the choices of a schedule.
var everyOptions = []option{{"daily", "Daily at 03:00"}, {"weekly", "Weekly, Mondays at 03:00"}, {"monthly", "Monthly, the 1st at 03:00"},
	{"cron", "Cron expression"}}

// everyLabel names a schedule for people.
func everyLabel(every, cron string) string {
	for _, o := range everyOptions {
		if o.Value == every && every != "cron" {
			return o.Label
		}
	}
	return "Cron " + cron
}
