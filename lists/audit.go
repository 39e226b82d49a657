package lists

// Audit actions of lists, beside the other actions of the audit log (they
// are written through audit.Record). Keep them stable: exports and alerts
// match on them.
const (
	AuditCreated   = "list.created"
	AuditCancelled = "list.cancelled"
	AuditDeleted   = "list.deleted"
	AuditFailed    = "list.failed"
)

// auditTarget is the target type of the lists' audit events.
const auditTarget = "list"
