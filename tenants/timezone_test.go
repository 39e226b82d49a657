package tenants_test

import (
	"context"
	"testing"
)

// A workspace's time zone is an IANA name its owners and admins set; a
// name that is no zone is refused as input, and another tenant's person
// finds no tenant to change.
func TestTimeZoneIsCheckedAndIsolated(t *testing.T) {
	w := newTwoTenants(t)
	ctx := context.Background()
	bob := actorFor(w.bob).In(w.b.ID)
	for _, bad := range []string{"", "Local", "Mars/Olympus", "Europe/Paris\n"} {
		wantInputError(t, "zone "+bad, "time_zone", w.store.SetTimeZone(ctx, w.b.ID, bad, bob))
	}
	wantNotFound(t, "B sets A's zone", w.store.SetTimeZone(ctx, w.a.ID, "Asia/Tokyo", bob))
	if err := w.store.SetTimeZone(ctx, w.b.ID, "America/New_York", bob); err != nil {
		t.Fatal(err)
	}
	a, err := w.store.TenantByID(ctx, w.a.ID)
	if err != nil || a.TimeZone != "UTC" {
		t.Fatalf("A's zone: %q %v", a.TimeZone, err)
	}
	b, err := w.store.TenantByID(ctx, w.b.ID)
	if err != nil || b.TimeZone != "America/New_York" {
		t.Fatalf("B's zone: %q %v", b.TimeZone, err)
	}
}
