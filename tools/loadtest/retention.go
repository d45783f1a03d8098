package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// retentionRun is the retention load run (-retention-ops): authorization-code flows, each followed by a
// refresh, at c=16 against a fresh `valet serve` until ops token operations are done, with the server's
// own retention pruning meanwhile (its defaults, or --keep-events keep when keep > 0), and FHIR reads at
// c=1 alongside. It samples /api/status every second and reports the token operations and reads per
// second, the most events the database held at any sample, and the database's size and events at the end.
func retentionRun(ctx context.Context, valet string, ops, keep int) error {
	flags := []string{"--empty"}
	if keep > 0 {
		flags = append(flags, "--keep-events", fmt.Sprint(keep))
	}
	base, stop, err := startValet(ctx, valet, nil, flags...)
	if err != nil {
		return err
	}
	defer stop()
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	flow, err := newFlows(c, base)
	if err != nil {
		return err
	}
	type status struct {
		DatabaseBytes int64  `json:"database_bytes"`
		Events        int64  `json:"events"`
		DataFile      string `json:"data_file"`
	}
	sample := func() (status, error) {
		var st status
		resp, err := c.Get(base + "/api/status")
		if err != nil {
			return st, err
		}
		defer resp.Body.Close()
		return st, json.NewDecoder(resp.Body).Decode(&st)
	}
	var maxEvents atomic.Int64
	done := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Go(func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if st, err := sample(); err == nil && st.Events > maxEvents.Load() {
					maxEvents.Store(st.Events)
				}
			}
		}
	})
	iterate := func(int64) error {
		refresh, err := flow()
		if err != nil {
			return err
		}
		resp, err := c.PostForm(base+"/auth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("refresh: %d", resp.StatusCode)
		}
		return nil
	}
	// FHIR reads on one connection alongside, for as long as the token operations run (more readers
	// would take the cores the token operations are measured on).
	bearer, err := token(c, base)
	if err != nil {
		return err
	}
	var reads atomic.Int64
	var readErr error
	var readers sync.WaitGroup
	readers.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if err := do(c, "GET", base+"/fhir/Patient/lt-user", bearer, nil); err != nil {
				readErr = err
				return
			}
			reads.Add(1)
		}
	})
	start := time.Now()
	rate, err := repeat(ctx, iterate, 16, 24*time.Hour, ops/2)
	elapsed := time.Since(start)
	close(done)
	sampler.Wait()
	readers.Wait()
	if err == nil {
		err = readErr
	}
	if err != nil {
		return fmt.Errorf("retention run: %w", err)
	}
	time.Sleep(2 * time.Second) // the last pass after the final events
	st, err := sample()
	if err != nil {
		return err
	}
	bound := "default retention"
	if keep > 0 {
		bound = fmt.Sprintf("--keep-events %d", keep)
	}
	var file int64
	if fi, err := os.Stat(st.DataFile); err == nil {
		file = fi.Size()
	}
	fmt.Printf("%s: %d token operations (flow + refresh, c=16) in %.0f s: %.0f ops/s, with %.0f FHIR reads/s (c=1) alongside; most events at a sample %d; at the end %d events, database %.1f MB (file %.1f MB, the rest its write-ahead log)\n",
		bound, ops, elapsed.Seconds(), 2*rate, float64(reads.Load())/elapsed.Seconds(), maxEvents.Load(), st.Events, float64(st.DatabaseBytes)/1e6, float64(file)/1e6)
	return nil
}
