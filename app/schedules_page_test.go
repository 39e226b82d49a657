package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Another workspace finds none of a list's schedule, runs or changes
// through the pages, and a member may run a list but not schedule it.
func TestSchedulePagesAreIsolatedAndRoleChecked(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	other := h.signUp("Beta", "bob@beta.test")
	live := newKey(t, owner, "live")
	api := h.browser()
	res := api.apiJSON("POST", "/v1/lists", live, `{"name":"crm","emails":["ann@shop.test","bob@shop.test"]}`)
	expect(t, res, http.StatusCreated)
	l := decodeList(t, res)
	waitList(t, api, live, l.ID)
	path := "/lists/" + l.ID
	expectRedirect(t, owner.post(path+"/schedule", url.Values{"every": {"weekly"}, "time_zone": {"Europe/Paris"}}), path+"#list-schedule")
	expectRedirect(t, owner.post(path+"/runs", nil), path+"#list-schedule")
	var run struct{ ID string }
	eventually(t, "the run finished", func() bool {
		res := api.api("GET", "/v1/lists/"+l.ID+"/runs", live)
		var page struct {
			Runs []struct{ ID, Status string } `json:"runs"`
		}
		_ = json.Unmarshal([]byte(res.body), &page)
		if len(page.Runs) == 1 && page.Runs[0].Status == "completed" {
			run.ID = page.Runs[0].ID
			return true
		}
		return false
	})
	expect(t, owner.get(path+"/runs/"+run.ID), http.StatusOK, "Decay report")
	expect(t, owner.get(path+"/runs/"+run.ID+"/changes.csv"), http.StatusOK, "row,email,previous_status,status,reason")

	for _, p := range []string{path, path + "/runs/" + run.ID, path + "/runs/" + run.ID + "/changes.csv", path + "/runs/not-a-uuid"} {
		if res := other.get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("another workspace's GET %s: %d", p, res.StatusCode)
		}
	}
	for _, p := range []string{path + "/schedule", path + "/schedule/delete", path + "/runs", path + "/runs/" + run.ID + "/cancel"} {
		if res := other.post(p, url.Values{"every": {"weekly"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("another workspace's POST %s: %d", p, res.StatusCode)
		}
	}
	// Still there for its owner, unchanged.
	expect(t, owner.get(path), http.StatusOK, "Weekly, Mondays at 03:00", "Europe/Paris")

	// A member runs the list but may not change its schedule.
	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"mia@acme.test"}, "role": {"member"}}), "/team")
	link := h.mailedLink("mia@acme.test", "invited")
	mia := h.browser()
	expectRedirect(t, mia.post(link, url.Values{"name": {"Mia"}, "password": {"mia's passphrase"}}), "/dashboard")
	if page := mia.get(path); strings.Contains(page.body, `class="schedule-form"`) || !strings.Contains(page.body, `id="run-now"`) {
		t.Error("a member sees the schedule form, or no Run now")
	}
	if res := mia.post(path+"/schedule", url.Values{"every": {"monthly"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("a member's schedule: %d", res.StatusCode)
	}
	expectRedirect(t, mia.post(path+"/runs", nil), path+"#list-schedule")
}

// The workspace's time zone, set on the settings page (a name that is no
// zone is refused next to its field and changes nothing), is the zone of
// a schedule that names none.
func TestWorkspaceTimeZoneIsTheSchedulesDefault(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	res := owner.post("/settings", url.Values{"name": {"Acme Renamed"}, "time_zone": {"Mars/Olympus"}})
	expect(t, res, http.StatusUnprocessableEntity, "not a time zone; use a name such as Europe/Paris")
	expect(t, owner.get("/settings"), http.StatusOK, `value="UTC"`, `value="Acme"`)
	expectRedirect(t, owner.post("/settings", url.Values{"name": {"Acme"}, "time_zone": {"Asia/Tokyo"}}), "/settings")
	key := newKey(t, owner, "test")
	api := h.browser()
	res = api.apiJSON("POST", "/v1/lists", key, `{"emails":["deliverable@shop.test"]}`)
	expect(t, res, http.StatusCreated)
	l := decodeList(t, res)
	waitList(t, api, key, l.ID)
	expect(t, api.apiJSON("PUT", "/v1/lists/"+l.ID+"/schedule", key, `{"every":"monthly"}`), http.StatusOK, `"time_zone":"Asia/Tokyo"`)
}
