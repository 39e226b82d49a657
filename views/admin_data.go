package views

// AdminTenants is the console's tenant list.
type AdminTenants struct {
	Q, Sort string
	Rows    []AdminTenantRow
	NextURL string // the next page, when there is one
}

// AdminTenantRow is a tenant in the list.
type AdminTenantRow struct {
	ID, Name, Slug, Status, Created, Plan, MonthUsed, Members, StripeCustomer string
}

// AdminTenant is one tenant's page in the console.
type AdminTenant struct {
	AdminTenantRow
	Suspended                       bool
	SuspendedReason, SuspendedSince string
	Subscription, PeriodEnd         string
	Included, Limit                 string
	Members                         []AdminMember
	Keys                            []AdminKey
	Lists                           []AdminList
	Endpoints                       []AdminEndpoint
	Usage                           BarChart
	Audit                           []AdminAuditRow
	APIErrors                       []AdminAPIError
	Form                            Form // the suspend form, with its error
	Override                        AdminOverride
	Operator                        AdminOperator
}

// AdminOperator is the tenant's operator settings form.
type AdminOperator struct {
	Form                                          Form
	PlatformMaxConns, MaxConnsLimit, MaxCacheDays string
}

// AdminMember is a member of the tenant.
type AdminMember struct{ UserID, Email, Name, Role string }

// AdminKey is an API key's metadata (never its secret).
type AdminKey struct{ Name, Mode, Prefix, Created, LastUsed, Status string }

// AdminList is one of the tenant's lists.
type AdminList struct{ Name, Status, Rows, Created string }

// AdminEndpoint is a webhook endpoint and its dead letters.
type AdminEndpoint struct {
	URL, DeadLetters string
	Enabled          bool
}

// AdminAPIError is one of the tenant's recent failed API requests.
type AdminAPIError struct{ When, Route, Status, Code, RequestID string }

// AdminAuditRow is an audit event.
type AdminAuditRow struct{ When, Actor, Action, Target string }

// AdminUsers is the console's user search.
type AdminUsers struct {
	Q    string
	Rows []AdminUserRow
}

// AdminUserRow is a user in the search.
type AdminUserRow struct {
	ID, Email, Name, Created, Tenants string
	PlatformAdmin, Locked, Verified   bool
}

// AdminUser is one user's page.
type AdminUser struct {
	AdminUserRow
	LockedReason string
	Self         bool // the admin looking
	Memberships  []AdminMembership
	Form         Form // the lock form, with its error
}

// AdminMembership is a tenant a user belongs to.
type AdminMembership struct{ TenantID, TenantName, Slug, Status, Role string }

// AdminDeadLetters is the dead letters across tenants.
type AdminDeadLetters struct {
	Rows []AdminDeadLetter
}

// AdminDeadLetter is one dead letter.
type AdminDeadLetter struct {
	ID, TenantID, TenantName, EndpointURL, EventType, Attempts, LastError, Finished string
}

// AdminPlanRow is a plan in the console's table.
type AdminPlanRow struct {
	ID, Name, Price, Overage, Daily, Included, Limit, Rate, MaxListRows string
}

// AdminPlan is one plan's edit form: its values as typed, its error.
type AdminPlan struct {
	ID   string
	Form Form
}

// AdminOverride is a tenant's override, shown and edited on its page.
type AdminOverride struct {
	Active  bool   // an override is in force
	Summary string // what it changes, for people
	Plans   []PlanChoice
	Form    Form
}

// PlanChoice is a plan in a select.
type PlanChoice struct{ ID, Name string }
