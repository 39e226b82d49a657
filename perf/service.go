package perf

import "mailvet/db"

// Service reads the performance page's figures, for platform admins.
type Service struct {
	db *db.DB
}

// NewService returns a Service on d.
func NewService(d *db.DB) *Service { return &Service{db: d} }
