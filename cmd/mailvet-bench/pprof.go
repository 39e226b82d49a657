package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves the process's profiles on addr until it exits, for a
// look inside the lists bench's serve child (go tool pprof
// http://addr/debug/pprof/heap).
func servePprof(addr string, stderr io.Writer) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintf(stderr, "mailvet-bench: pprof on %s: %v\n", addr, err)
	}
}
