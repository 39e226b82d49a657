package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"mailvet/jobs"
	"mailvet/lists"
)

// contractSchedules drives every schedule and run operation to a success
// and an error, on test-mode lists (their runs answer from the local part
// and spend no quota).
func contractSchedules(t *testing.T, c *contract, key, other string) {
	res := c.call("POST", "/v1/lists", key, `{"name":"Scheduled","emails":["deliverable@shop.test","undeliverable@shop.test"]}`)
	expect(t, res, http.StatusCreated)
	var l struct{ ID string }
	decodeInto(t, res, &l)
	path := "/v1/lists/" + l.ID
	eventually(t, "the list verified", func() bool { return strings.Contains(c.call("GET", path, key, "").body, `"status":"completed"`) })

	expectProblem(t, c.call("GET", path+"/schedule", key, ""), http.StatusNotFound, "not_found")
	expectProblem(t, c.call("DELETE", path+"/schedule", key, ""), http.StatusNotFound, "not_found")
	expect(t, c.call("PUT", path+"/schedule", key, `{"every":"weekly","time_zone":"Europe/Paris"}`), http.StatusOK, `"cron":"0 3 * * 1"`, `"next_run_at":"`)
	expectProblem(t, c.call("PUT", path+"/schedule", key, `{"every":"cron","cron":"61 * * * *"}`), http.StatusUnprocessableEntity, "invalid_cron")
	expectProblem(t, c.call("PUT", path+"/schedule", key, `{"every":"daily"}`), http.StatusUnprocessableEntity, "schedule_too_frequent")
	expectProblem(t, c.call("PUT", path+"/schedule", key, `{"every":"weekly","time_zone":"Mars/Base"}`), http.StatusUnprocessableEntity, "unknown_time_zone")
	expectProblem(t, c.refused("PUT", path+"/schedule", key, `{"every":"hourly"}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, c.refused("PUT", path+"/schedule", key, `{"every":"weekly","x":1}`), http.StatusBadRequest, "invalid_request")
	expect(t, c.call("GET", path+"/schedule", key, ""), http.StatusOK, `"every":"weekly"`, `"time_zone":"Europe/Paris"`)
	expectProblem(t, c.call("GET", path+"/schedule", other, ""), http.StatusNotFound, "not_found")
	expectProblem(t, c.call("PUT", path+"/schedule", other, `{"every":"weekly"}`), http.StatusNotFound, "not_found")

	// A list still verifying (its greylisted address waits an hour) has
	// nothing to run again yet.
	res = c.call("POST", "/v1/lists", key, `{"emails":["greylisted@shop.test"]}`)
	decodeInto(t, res, &l)
	expectProblem(t, c.call("POST", "/v1/lists/"+l.ID+"/runs", key, ""), http.StatusConflict, "list_not_ready")

	res = c.call("POST", path+"/runs", key, "")
	expect(t, res, http.StatusAccepted, `"status":"queued"`, `"trigger":"manual"`)
	var run struct{ ID string }
	decodeInto(t, res, &run)
	eventually(t, "the run finished", func() bool {
		return strings.Contains(c.call("GET", path+"/runs/"+run.ID, key, "").body, `"status":"completed"`)
	})
	expect(t, c.call("GET", path+"/runs?limit=1", key, ""), http.StatusOK, run.ID)
	expectProblem(t, c.call("GET", path+"/runs?cursor=nope", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.call("GET", path+"/runs/"+run.ID, other, ""), http.StatusNotFound, "not_found")
	expect(t, c.call("GET", path+"/runs/"+run.ID+"/changes?status=undeliverable&limit=10", key, ""), http.StatusOK, `"changes":[]`)
	expectProblem(t, c.call("GET", path+"/runs/"+run.ID+"/changes?cursor=nope", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.call("POST", path+"/runs/"+run.ID+"/cancel", key, ""), http.StatusConflict, "run_finished")

	// With the lists queue paused, a run waits: a second one is refused
	// and the first can be cancelled. (A pause reaches the workers a
	// moment later, so a run they took first is tried again.)
	control, err := jobs.NewClient(c.h.db, jobs.Deps{}, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := control.QueuePause(ctx, lists.Queue, nil); err != nil {
		t.Fatal(err)
	}
	for cancelled := false; !cancelled; {
		res = c.call("POST", path+"/runs", key, "")
		expect(t, res, http.StatusAccepted)
		decodeInto(t, res, &run)
		second := c.call("POST", path+"/runs", key, "")
		cancel := c.call("POST", path+"/runs/"+run.ID+"/cancel", key, "")
		cancelled = second.StatusCode == http.StatusConflict && cancel.StatusCode == http.StatusOK
		if cancelled {
			expectProblem(t, second, http.StatusConflict, "run_in_progress")
			expect(t, cancel, http.StatusOK, `"status":"cancelled"`, `"failure_code":"cancelled"`)
		}
		if second.StatusCode == http.StatusAccepted { // the workers had not paused yet: let that run end too
			var extra struct{ ID string }
			decodeInto(t, second, &extra)
			eventually(t, "the extra run finished", func() bool {
				body := c.call("GET", path+"/runs/"+extra.ID, key, "").body
				return !strings.Contains(body, `"status":"queued"`) && !strings.Contains(body, `"status":"running"`)
			})
		}
	}
	if err := control.QueueResume(ctx, lists.Queue, nil); err != nil {
		t.Fatal(err)
	}
	expect(t, c.call("DELETE", path+"/schedule", key, ""), http.StatusNoContent)
}
