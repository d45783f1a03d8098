package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"time"
)

// tlsPatients is how many patients the TLS run loads: enough for reads to spread over the table.
const tlsPatients = 20

// tlsRun is the TLS cost run: the same FHIR read by id and the same token request (client_credentials
// with a new signed assertion each time) against `valet serve` and `valet serve --tls`, at c=1 and c=16
// over kept-alive connections (what every HTTP client does by default), and the read at c=1 with a new
// connection per request — a TCP connect, and over https a full TLS handshake, each time. The client
// trusts only the sandbox's CA, read with `valet ca --pem`.
func tlsRun(ctx context.Context, valet string, d time.Duration, maxReq int) error {
	type row struct {
		name string
		rate [2][2]float64 // [http, https][c=1, c=16]
	}
	rows := []*row{{name: "read by id"}, {name: "token (client_credentials)"}, {name: "read by id, new connection each"}}
	for s, secure := range []bool{false, true} {
		data, err := os.MkdirTemp("", "valet-loadtest-tls")
		if err != nil {
			return err
		}
		flags := []string{"--empty"}
		tlsConf := &tls.Config{}
		if secure {
			flags = append(flags, "--tls")
			pem, err := exec.CommandContext(ctx, valet, "ca", "--pem", "--data", data).Output()
			if err != nil {
				return fmt.Errorf("valet ca --pem: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return errors.New("valet ca --pem printed no certificate")
			}
			tlsConf.RootCAs = pool
		}
		base, stop, err := startValetIn(ctx, valet, data, nil, flags...)
		if err != nil {
			return err
		}
		err = func() error {
			defer stop()
			kept := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, TLSClientConfig: tlsConf}, Timeout: 30 * time.Second}
			fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, TLSClientConfig: tlsConf}, Timeout: 30 * time.Second}
			be, err := registerBackend(kept, base)
			if err != nil {
				return err
			}
			bearer, err := be.token(kept, base)
			if err != nil {
				return err
			}
			for i := 1; i <= tlsPatients; i++ {
				body, _ := patientBundle(i)
				if err := do(kept, "POST", base+"/fhir", bearer, body); err != nil {
					return err
				}
			}
			read := func(c *http.Client) func(int64) error {
				return func(i int64) error {
					return do(c, "GET", fmt.Sprintf("%s/fhir/Observation/lt%d-o%d", base, 1+i%tlsPatients, i%99), bearer, nil)
				}
			}
			works := []func(int64) error{read(kept), func(int64) error { _, err := be.token(kept, base); return err }, read(fresh)}
			for w, fn := range works {
				for k, conc := range []int{1, 16} {
					r, err := repeat(ctx, fn, conc, d, maxReq)
					if err != nil {
						return fmt.Errorf("%s over %s: %w", rows[w].name, base, err)
					}
					rows[w].rate[s][k] = r
				}
			}
			return nil
		}()
		if err != nil {
			return err
		}
	}
	fmt.Printf("%-34s %11s %11s %11s %11s\n", "workload (req/s)", "http c=1", "https c=1", "http c=16", "https c=16")
	for _, r := range rows {
		fmt.Printf("%-34s %11.0f %11.0f %11.0f %11.0f\n", r.name, r.rate[0][0], r.rate[1][0], r.rate[0][1], r.rate[1][1])
	}
	return nil
}
