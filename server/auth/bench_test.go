package auth_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/valet-sandbox/valet/server/keys"
	"github.com/valet-sandbox/valet/server/store"
)

// The benchmarks drive the real handler over loopback with a lean client (one keep-alive transport, no
// cookie jar, hand-built forms): the server's cost is what is measured, and the 2-core machine is not
// also busy running a heavyweight client. The end-to-end tests use golang.org/x/oauth2 and go-oidc.

var benchHTTP = &http.Client{
	Transport: &http.Transport{MaxIdleConnsPerHost: 64},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

type benchFlow struct {
	s      *sandbox
	client client
}

func newBenchFlow(b testing.TB) *benchFlow {
	s := newSandbox(b)
	c := s.register(map[string]any{"client_name": "B", "redirect_uris": []string{redirect}, "valet_user": "Practitioner/dr1",
		"valet_patient": "p1", "valet_auto_approve": true})
	return &benchFlow{s: s, client: c}
}

func postForm(u string, form url.Values) (map[string]any, error) {
	resp, err := benchHTTP.PostForm(u, form)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("%s: %d %v", u, resp.StatusCode, m)
	}
	return m, nil
}

// run is one complete flow: authorize (auto-approve) → code → token with id_token and refresh token.
func (f *benchFlow) run() (map[string]any, error) {
	code, v, err := f.code()
	if err != nil {
		return nil, err
	}
	tok, err := postForm(f.s.base+"/auth/token", f.exchangeForm(code, v))
	if err == nil && (tok["id_token"] == nil || tok["refresh_token"] == nil) {
		err = fmt.Errorf("token response without id_token or refresh_token: %v", tok)
	}
	return tok, err
}

// code is the authorization step of run: a code and its PKCE verifier.
func (f *benchFlow) code() (code, verifier string, err error) {
	v := oauth2.GenerateVerifier()
	sum := sha256.Sum256([]byte(v))
	q := url.Values{"response_type": {"code"}, "client_id": {f.client.ID}, "redirect_uri": {redirect}, "state": {"s"},
		"scope": {"launch/patient openid fhirUser offline_access patient/*.rs"}, "aud": {f.s.fhir},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	resp, err := benchHTTP.Get(f.s.base + "/auth/authorize?" + q.Encode())
	if err != nil {
		return "", "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if code = loc.Query().Get("code"); code == "" {
		return "", "", fmt.Errorf("authorize: %d %s", resp.StatusCode, loc)
	}
	return code, v, nil
}

func (f *benchFlow) exchangeForm(code, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "client_id": {f.client.ID},
		"code_verifier": {verifier}}
}

// concurrently runs b.N calls of fn over n goroutines (n=1 is a plain loop).
func concurrently(b *testing.B, n int, fn func() error) {
	workers(b, n, func(int) error { return fn() })
}

// workers runs b.N calls of fn over n goroutines, telling each call which goroutine (0 … n-1) runs it.
func workers(b *testing.B, n int, fn func(worker int) error) {
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if err := fn(w); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkAuthCodeFlow runs complete flows at concurrency 1 and 16, each worker on a keep-alive
// connection of its own (rawConn).
func BenchmarkAuthCodeFlow(b *testing.B) {
	for _, n := range []int{1, 16} {
		b.Run(fmt.Sprintf("c=%d", n), func(b *testing.B) {
			f := newBenchFlow(b)
			conns := make([]*rawConn, n)
			for i := range conns {
				c, err := dialRaw(f.s.base)
				if err != nil {
					b.Fatal(err)
				}
				defer c.close()
				conns[i] = c
			}
			kr := benchKeyring(b)
			sig := signatureTime(b, kr)
			workers(b, n, func(w int) error { return f.runRaw(conns[w]) })
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "flows/s")
			// The goal's yardstick, timed in the same run: the signature speed of this machine moves by
			// a fifth between runs, so a ratio to BenchmarkSign's separate run scatters. Timed before and
			// after the flows, the faster of the two counts (the sandbox's background work can slow one).
			sig = min(sig, signatureTime(b, kr))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(sig.Nanoseconds()), "x-signatures")
		})
	}
}

// signatureTime is what the signatures of one flow take here (RS256 id_token + ES256 access token): the
// mean of 200 of each, after one of each to warm up.
func signatureTime(b *testing.B, kr *keys.Keyring) time.Duration {
	runtime.GC()
	sign := func() {
		for _, alg := range []string{keys.RS256, keys.ES256} {
			if _, err := kr.Sign(alg, benchClaims); err != nil {
				b.Fatal(err)
			}
		}
	}
	sign()
	start := time.Now()
	for range 200 {
		sign()
	}
	return time.Since(start) / 200
}

var benchClaims = map[string]any{"iss": "http://127.0.0.1/fhir", "sub": "Practitioner/dr1", "exp": 1, "jti": "x",
	"scope": strings.Repeat("patient/*.rs ", 4)}

// benchKeyring is a keyring of its own (in an in-memory store) with Valet's signing keys.
func benchKeyring(b *testing.B) *keys.Keyring {
	db, err := store.Open(context.Background(), store.Memory, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	kr, err := keys.Open(context.Background(), db, nil)
	if err != nil {
		b.Fatal(err)
	}
	return kr
}

// rawConn is one keep-alive HTTP/1.1 connection whose requests are written by hand and whose responses
// are read with http.ReadResponse. net/http's client hands every request to two goroutines of its own
// (a write loop and a read loop): with the benchmarks' GOMAXPROCS=1 that client cost ~0.2 ms per flow of
// the same core as the server it measures, about a tenth of a flow.
type rawConn struct {
	host, prefix string
	conn         net.Conn
	r            *bufio.Reader
	w            *bufio.Writer
}

func dialRaw(base string) (*rawConn, error) {
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		return nil, err
	}
	return &rawConn{host: u.Host, prefix: u.Path, conn: c, r: bufio.NewReader(c), w: bufio.NewWriter(c)}, nil
}

func (rc *rawConn) close() { rc.conn.Close() }

// do sends one request (a form POST when form is not empty) and returns the response with its body.
func (rc *rawConn) do(method, target, form string) (*http.Response, []byte, error) {
	rc.w.WriteString(method + " " + rc.prefix + target + " HTTP/1.1\r\nHost: " + rc.host + "\r\n")
	if method == http.MethodPost {
		rc.w.WriteString("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + strconv.Itoa(len(form)) + "\r\n")
	}
	rc.w.WriteString("\r\n")
	rc.w.WriteString(form)
	if err := rc.w.Flush(); err != nil {
		return nil, nil, err
	}
	resp, err := http.ReadResponse(rc.r, nil)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body, err
}

// runRaw is run on a rawConn: authorize (auto-approve) → code → token, checking that the response has an
// access token, an id_token and a refresh token.
func (f *benchFlow) runRaw(rc *rawConn) error {
	v := oauth2.GenerateVerifier()
	sum := sha256.Sum256([]byte(v))
	q := url.Values{"response_type": {"code"}, "client_id": {f.client.ID}, "redirect_uri": {redirect}, "state": {"s"},
		"scope": {"launch/patient openid fhirUser offline_access patient/*.rs"}, "aud": {f.s.fhir},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	resp, _, err := rc.do(http.MethodGet, "/auth/authorize?"+q.Encode(), "")
	if err != nil {
		return err
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return err
	}
	code := loc.Query().Get("code")
	if resp.StatusCode != http.StatusFound || code == "" {
		return fmt.Errorf("authorize: %d %s", resp.StatusCode, loc)
	}
	resp, body, err := rc.do(http.MethodPost, "/auth/token", f.exchangeForm(code, v).Encode())
	if err != nil {
		return err
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		IDToken      string `json:"id_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || resp.StatusCode != 200 || tok.AccessToken == "" || tok.IDToken == "" || tok.RefreshToken == "" {
		return fmt.Errorf("token: %d %s (%v)", resp.StatusCode, body, err)
	}
	return nil
}

// BenchmarkRefresh is token-endpoint refreshes per second (rotation on: each refresh uses the token the
// previous one returned; the first one is the code exchange's, kept in the grant's row, later ones have
// rows of their own). The grant has openid and a user, so each refresh signs an ES256 access token and an
// RS256 id_token, like the code exchange.
func BenchmarkRefresh(b *testing.B) {
	f := newBenchFlow(b)
	tok, err := f.run()
	if err != nil {
		b.Fatal(err)
	}
	rt := tok["refresh_token"].(string)
	concurrently(b, 1, func() error {
		m, err := postForm(f.s.base+"/auth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {f.client.ID}})
		if err != nil {
			return err
		}
		rt = m["refresh_token"].(string)
		return nil
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "refreshes/s")
}

// BenchmarkIntrospect is introspections per second of one live access token (the verifier's cache makes
// repeated ones cheap, as for the FHIR server).
func BenchmarkIntrospect(b *testing.B) {
	f := newBenchFlow(b)
	tok, err := f.run()
	if err != nil {
		b.Fatal(err)
	}
	form := url.Values{"token": {tok["access_token"].(string)}, "client_id": {f.client.ID}}
	concurrently(b, 1, func() error {
		m, err := postForm(f.s.base+"/auth/introspect", form)
		if err == nil && m["active"] != true {
			err = fmt.Errorf("introspection: %v", m)
		}
		return err
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "introspections/s")
}

// BenchmarkSign is the raw ceiling: signatures per second per algorithm Valet signs with.
func BenchmarkSign(b *testing.B) {
	kr := benchKeyring(b)
	for _, alg := range keys.Algorithms {
		b.Run(alg, func(b *testing.B) {
			for b.Loop() {
				if _, err := kr.Sign(alg, benchClaims); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sigs/s")
		})
	}
}
