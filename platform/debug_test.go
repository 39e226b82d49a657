package platform_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db/dbtest"
	"mailvet/platform"
)

func TestDebug(t *testing.T) {
	d := dbtest.New(t)
	s := platform.NewService(d)
	_, err := s.Tenant(context.Background(), uuid.New(), actor.Operator())
	t.Log(err)
	_, _, err = s.Tenants(context.Background(), platform.TenantQuery{}, actor.Operator())
	t.Log(err)
}
