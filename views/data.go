// Package views renders pages and HTMX partials from plain data. It knows
// nothing of stores or HTTP handlers; handlers fill these structs.
package views

// Page is what the layout needs on every page.
type Page struct {
	Title   string
	Nav     string // active navigation item: dashboard, keys, team, settings, billing, account
	User    *UserInfo
	Tenant  *TenantInfo
	Tenants []TenantChoice // for the tenant switcher; shown when more than one
	Flash   string         // one-off success message
	// BillingNotice, when set, is shown as a warning banner on every page
	// (a failed payment).
	BillingNotice string
}

// UserInfo is the signed-in person.
type UserInfo struct {
	Name     string
	Email    string
	Verified bool
	// PlatformAdmin: the navigation links to the admin console.
	PlatformAdmin bool
}

// TenantInfo is the tenant being worked in.
type TenantInfo struct {
	ID        string
	Name      string
	Slug      string
	Role      string
	CanManage bool
}

// TenantChoice is one entry of the tenant switcher.
type TenantChoice struct {
	ID      string
	Name    string
	Role    string
	Current bool
}

// Form carries submitted values and errors back to a form.
type Form struct {
	Values map[string]string
	Errors map[string]string // field name -> message, shown next to the field
	Error  string            // message about the whole form
}

// Get returns a submitted value.
func (f Form) Get(name string) string { return f.Values[name] }

// Err returns the error for a field.
func (f Form) Err(name string) string { return f.Errors[name] }

// Dashboard is the home page of a tenant.
type Dashboard struct {
	LiveKeys    int
	TestKeys    int
	Members     int
	PendingInvs int
	Verified    bool
	CanManage   bool
	// Verifications of the last Days UTC days from every source (API,
	// dashboard, lists), as the usage page counts them: from the cache, and
	// billable (answered by the engine). CachedAddresses is the cache now.
	Days            int
	Verifications   int
	CacheHits       int
	Billable        int
	CachedAddresses int
	// The verify box, after a submission without JavaScript.
	VerifyForm   Form
	VerifyResult *VerifyResult
	Quota        *DashboardQuota // nil without billing
}

// DashboardQuota is what the plan leaves this month and today, formatted.
type DashboardQuota struct {
	Plan                  string
	MonthLeft, MonthLimit string
	DayLeft, DayLimit     string
	MonthUsedPercent      int
}

// VerifyResult is one verification shown on a page.
type VerifyResult struct {
	Email      string
	Normalized string
	Status     string
	Reason     string
	Score      int
	Flags      []string
	MX         string
	Suggestion string
	SMTPReply  string
	Detail     string
	Cached     bool
	DurationMS int64
}

// Team is the team page.
type Team struct {
	Members   []MemberRow
	Invites   []InviteRow
	CanManage bool
	IsOwner   bool
}

// MemberRow is one member.
type MemberRow struct {
	UserID   string
	Name     string
	Email    string
	Role     string
	Verified bool
	Joined   string
	IsSelf   bool
}

// InviteRow is one pending invitation.
type InviteRow struct {
	ID      string
	Email   string
	Role    string
	Expires string
}

// Keys is the API keys page.
type Keys struct {
	Keys      []KeyRow
	CanManage bool
	Verified  bool
	Form      Form
	Created   *CreatedKey // set right after creation: the secret, shown once
	// Problem says why a roll or reveal was refused.
	Problem string
	// Unrevealed are successors of automatic rotation awaiting reveal.
	Unrevealed []KeyRow
	// The create form's choices: expiries (the workspace's rule applied)
	// and scopes.
	Expiries      []Choice
	DefaultExpiry string
	Scopes        []Choice
	// RequiredDays is the workspace's maximum lifetime (0: none).
	RequiredDays int
	Policy       KeyPolicyForm
}

// Choice is one option of a select or one checkbox.
type Choice struct {
	Value, Label string
	Checked      bool
}

// KeyPolicyForm is the workspace's key policy and its choices.
type KeyPolicyForm struct {
	MaxLifetime, MaxGrace, RotateAfter, RotationGrace string // the selected values
	Lifetimes, Graces, Rotations, RotationGraces      []Choice
	Error                                             string
}

// KeyRow is one API key, without its secret.
type KeyRow struct {
	ID        string
	Name      string
	Mode      string // live | test
	Prefix    string
	Created   string
	LastUsed  string // "never" when unused
	Expires   string // "" when it does not expire
	Revoked   bool
	RevokedAt string
	// Status is active, grace (rolled, still working), expired, revoked
	// or unrevealed; Stops says when a key in its grace stops ("in 23
	// hours") and StillUsed when it was last used, if during the grace.
	Status    string
	Stops     string
	StopsAt   string // RFC 3339, for the page's countdown
	StillUsed string
	Scopes    string
	// Graces are the roll form's choices (empty: it cannot be rolled).
	Graces []Choice
	// Imported: the key came from the old service (import-json), whose
	// file held it in plaintext; the page asks for its rotation.
	Imported bool
	// The key's own limits: a summary ("Plan's" when none), the form's
	// values ("" for the plan's) and the form's error.
	Limits                              string
	RateValue, DailyValue, MonthlyValue string
	LimitsError                         string
}

// CreatedKey is a key just made, with the secret that is never shown again.
type CreatedKey struct {
	Key    KeyRow
	Secret string
	// Verb is what happened: created, rolled (Old is the key it
	// replaces, working until Until) or revealed.
	Verb  string
	Until string
}

// TenantSettings is the settings page.
type TenantSettings struct {
	Name            string
	Slug            string
	TechnicalEmail  string
	TimeZone        string // the default of the list schedules
	CanManage       bool
	CacheTTLDays    int // -1 off, else days: the lifetime in force
	CacheChoices    []CacheChoice
	CacheBounds     string // the operator's bounds, said, when set
	CachedAddresses int
}

// Account is the account page.
type Account struct {
	Name         string
	Email        string
	Sessions     []SessionRow
	PasswordRule string
	// PendingEmail is an address change waiting for its link ("" for
	// none), and PendingUntil when that link expires.
	PendingEmail, PendingUntil string
}

// SessionRow is one signed-in browser.
type SessionRow struct {
	ID        string
	IP        string
	UserAgent string
	Created   string
	LastSeen  string
	Current   bool
}

// InviteView is an invitation opened from its link.
type InviteView struct {
	Token        string
	TenantName   string
	Email        string
	Role         string
	State        string // new_user | sign_in | accept | wrong_user
	SignedInAs   string // for wrong_user
	PasswordRule string
}

// ListSummary is one list in the index and the head of its page.
type ListSummary struct {
	ID            string
	Name          string
	Status        string
	Created       string
	TotalRows     int
	UniqueRows    int
	DuplicateRows int
	SkippedRows   int
	ProcessedRows int
	Progress      float64 // 0–100
	Deliverable   int
	Undeliverable int
	Risky         int
	Unknown       int
	Rate          string // "120 rows/s" or ""
	ETA           string // "about 3 min left", "estimating time left…" or ""
	// DeferredRows wait for a retry their mail servers asked for (greylisting);
	// NextRetry is when the first of them is asked again ("01:21 UTC").
	DeferredRows int
	NextRetry    string
	Finished     bool
	CanCancel    bool
}

// ListsIndex is the lists page.
type ListsIndex struct {
	Lists      []ListSummary
	Form       Form
	MaxRows    int
	MaxSize    string // the largest upload, for people: "100 MB", "512 KB"
	NextCursor string
}

// ListDetail is one list's page.
type ListDetail struct {
	List        ListSummary
	Results     []ListResultRow
	Status      string // filter
	Reason      string // filter
	NextCursor  string
	CanManage   bool
	ExportQuery string
	Schedule    ListSchedule
}

// ListResultRow is one verified row.
type ListResultRow struct {
	Row        int
	Email      string
	Status     string
	Reason     string
	Score      int
	Suggestion string
}
