package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"mailvet/wiring"
)

// serveMetrics starts the listener of MAILVET_METRICS_ADDR, serving only
// GET /metrics, for serve and work alike (a worker process has no other
// port to be scraped on). The returned stop shuts it down, giving a scrape
// in progress a few seconds; without the setting there is nothing to start.
func serveMetrics(svc *wiring.Services, log *slog.Logger, web bool) (stop func(), err error) {
	addr := svc.Config.MetricsAddr
	if addr == "" {
		if !web && svc.Config.MetricsToken != "" {
			log.Info("no metrics served: a worker process has no main port; set MAILVET_METRICS_ADDR to scrape it")
		}
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("MAILVET_METRICS_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", svc.MetricsHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	log.Info("serving metrics", "addr", ln.Addr().String(), "token", svc.Config.MetricsToken != "")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}, nil
}
