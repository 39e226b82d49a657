package app_test

import (
	"context"
	"net/http"
	"net/url"

	"mailvet/jobs"
	"mailvet/lists"
)

// schedList is the walk's list for schedules and runs: made once, and
// verified before its first run.
func (w *auditWalk) schedList() string {
	w.t.Helper()
	if w.sched == "" {
		res := w.owner.apiJSON("POST", "/v1/lists", w.key, `{"name":"sched","emails":["ann@shop.test","nobody@shop.test"]}`)
		expect(w.t, res, http.StatusCreated)
		w.sched = decodeList(w.t, res).ID
		waitList(w.t, w.owner, w.key, w.sched)
	}
	return w.sched
}

// lastRun is the id of the walk list's newest run.
func (w *auditWalk) lastRun() string {
	return w.id(`SELECT id::text FROM list_runs WHERE list_id = $1 ORDER BY created_at DESC LIMIT 1`, w.schedList())
}

// runDone waits for the walk list's runs to end.
func (w *auditWalk) runDone() {
	w.t.Helper()
	eventually(w.t, "the run over", func() bool {
		var active int
		_ = w.h.sys.QueryRow(w.t.Context(), `SELECT count(*) FROM list_runs WHERE list_id = $1 AND status IN ('queued', 'running')`, w.schedList()).Scan(&active)
		return active == 0
	})
}

// cancelRun starts a run with the lists queue paused, so that it waits,
// and cancels it with cancel. A run the workers took before the pause
// reached them ends by itself; then it tries again.
func (w *auditWalk) cancelRun(cancel func(run string) response) response {
	w.t.Helper()
	control, err := jobs.NewClient(w.h.db, jobs.Deps{}, jobs.Options{})
	if err != nil {
		w.t.Fatal(err)
	}
	ctx := context.Background()
	if err := control.QueuePause(ctx, lists.Queue, nil); err != nil {
		w.t.Fatal(err)
	}
	defer func() { _ = control.QueueResume(ctx, lists.Queue, nil) }()
	for {
		expect(w.t, w.owner.apiJSON("POST", "/v1/lists/"+w.schedList()+"/runs", w.key, ""), http.StatusAccepted)
		if res := cancel(w.lastRun()); res.StatusCode < 400 {
			return res
		}
		w.runDone()
	}
}

// scheduleRoutes are the walk's schedule and run routes, after lists.
func scheduleRoutes(do func(string, func(*auditWalk) response) walkRoute) []walkRoute {
	return []walkRoute{
		do("PUT /v1/lists/{id}/schedule", func(w *auditWalk) response {
			return w.owner.apiJSON("PUT", "/v1/lists/"+w.schedList()+"/schedule", w.key, `{"every":"weekly","time_zone":"Europe/Paris"}`)
		}),
		do("DELETE /v1/lists/{id}/schedule", func(w *auditWalk) response {
			return w.owner.apiJSON("DELETE", "/v1/lists/"+w.schedList()+"/schedule", w.key, "")
		}),
		do("POST /lists/{id}/schedule", func(w *auditWalk) response {
			return w.owner.post("/lists/"+w.schedList()+"/schedule", url.Values{"every": {"weekly"}, "time_zone": {"UTC"}})
		}),
		do("POST /lists/{id}/schedule/delete", func(w *auditWalk) response {
			return w.owner.post("/lists/"+w.schedList()+"/schedule/delete", nil)
		}),
		do("POST /lists/{id}/runs", func(w *auditWalk) response {
			defer w.runDone()
			return w.owner.post("/lists/"+w.schedList()+"/runs", nil)
		}),
		do("POST /v1/lists/{id}/runs", func(w *auditWalk) response {
			defer w.runDone()
			return w.owner.apiJSON("POST", "/v1/lists/"+w.schedList()+"/runs", w.key, "")
		}),
		do("POST /lists/{id}/runs/{run}/cancel", func(w *auditWalk) response {
			return w.cancelRun(func(run string) response { return w.owner.post("/lists/"+w.schedList()+"/runs/"+run+"/cancel", nil) })
		}),
		do("POST /v1/lists/{id}/runs/{run}/cancel", func(w *auditWalk) response {
			return w.cancelRun(func(run string) response {
				return w.owner.apiJSON("POST", "/v1/lists/"+w.schedList()+"/runs/"+run+"/cancel", w.key, "")
			})
		}),
	}
}
