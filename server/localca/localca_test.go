package localca

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable time for the issuer.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func TestOpenMakesAPrivateCAOnceAndLoadsItAfter(t *testing.T) {
	data := t.TempDir()
	start := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	ca, err := Open(data, start)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Created {
		t.Error("a new data directory should get a new CA")
	}
	c := ca.Certificate()
	pub, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Errorf("CA key is %T, want ECDSA P-256", c.PublicKey)
	}
	if !c.IsCA || !c.BasicConstraintsValid || !c.MaxPathLenZero || c.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("not a CA that signs leaves only: IsCA %v, MaxPathLenZero %v, KeyUsage %v", c.IsCA, c.MaxPathLenZero, c.KeyUsage)
	}
	if !c.NotAfter.Equal(start.AddDate(10, 0, 0)) {
		t.Errorf("CA valid until %v, want ten years from %v", c.NotAfter, start)
	}
	if !strings.HasPrefix(ca.Name(), "Valet local CA ") {
		t.Errorf("CA name %q", ca.Name())
	}
	if len(ca.Fingerprint()) != 32*3-1 {
		t.Errorf("fingerprint %q is not SHA-256 in colon hex", ca.Fingerprint())
	}
	pemFile, err := os.ReadFile(ca.CertPath())
	if err != nil || string(pemFile) != string(ca.PEM()) {
		t.Fatalf("ca.pem does not hold the CA certificate: %v", err)
	}
	if strings.Contains(string(pemFile), "PRIVATE KEY") {
		t.Fatal("ca.pem, the file users hand to trust stores, holds the private key")
	}

	again, err := Open(data, start.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if again.Created || again.Fingerprint() != ca.Fingerprint() {
		t.Errorf("second Open made another CA (created %v, %s vs %s)", again.Created, again.Fingerprint(), ca.Fingerprint())
	}
}

// TestConcurrentOpensAgreeOnOneCA: a `valet ca` and a `valet serve --tls` started together on a new data
// directory end up with the same CA, never one's key with the other's certificate.
func TestConcurrentOpensAgreeOnOneCA(t *testing.T) {
	data := t.TempDir()
	fps := make([]string, 8)
	var wg sync.WaitGroup
	for i := range fps {
		wg.Go(func() {
			ca, err := Open(data, time.Now())
			if err != nil {
				t.Error(err)
				return
			}
			fps[i] = ca.Fingerprint()
		})
	}
	wg.Wait()
	for _, fp := range fps[1:] {
		if fp != fps[0] {
			t.Fatalf("concurrent Opens made different CAs: %v", fps)
		}
	}
	ca, err := Open(data, time.Now())
	if err != nil || ca.Fingerprint() != fps[0] {
		t.Fatalf("the stored CA is not the one handed out: %v", err)
	}
}

func TestKeyFilesAreOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no mode bits on Windows")
	}
	data := t.TempDir()
	ca, err := Open(data, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewIssuer(ca, nil, nil); err != nil {
		t.Fatal(err)
	}
	dir := Dir(data)
	for name, want := range map[string]os.FileMode{".": 0o700, caKeyFile: 0o600, CAFile: 0o600, leafFile: 0o600} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s has mode %o, want %o", name, got, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("tls directory holds %d files, want ca-key.pem, ca.pem and server.pem (no temporary files left)", len(entries))
	}

	// A CA key others can read is refused, with the fix.
	if err := os.Chmod(filepath.Join(dir, caKeyFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(data, time.Now()); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("Open with a world-readable CA key: %v, want a refusal naming chmod 600", err)
	}
}

func TestLeafCoversTheNamesAndIsRenewedBeforeExpiryWithTheCAKept(t *testing.T) {
	data := t.TempDir()
	clk := &clock{t: time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)}
	ca, err := Open(data, clk.now())
	if err != nil {
		t.Fatal(err)
	}
	is, err := NewIssuer(ca, []string{"Valet.LAN", "[::1]", "192.168.1.20"}, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	first := is.Leaf()
	for _, h := range []string{"127.0.0.1", "::1", "localhost", "valet.lan", "192.168.1.20"} {
		if err := first.VerifyHostname(h); err != nil {
			t.Errorf("leaf does not cover %s: %v", h, err)
		}
	}
	if err := first.VerifyHostname("evil.example"); err == nil {
		t.Error("leaf covers a name it was not issued for")
	}
	if first.NotAfter.Sub(clk.now()) != LeafLifetime {
		t.Errorf("leaf lifetime %v, want %v", first.NotAfter.Sub(clk.now()), LeafLifetime)
	}
	if first.NotAfter.Sub(first.NotBefore) > 10*24*time.Hour {
		t.Errorf("leaf lives %v: short lifetimes are the point", first.NotAfter.Sub(first.NotBefore))
	}

	// Half way through its life it is kept, also by a restart (it is loaded from disk, not re-issued).
	clk.set(clk.now().Add(LeafLifetime / 2))
	if renewed, err := is.RenewIfDue(); err != nil || renewed {
		t.Fatalf("renewed half way: %v %v", renewed, err)
	}
	restarted, err := NewIssuer(ca, []string{"valet.lan", "192.168.1.20"}, clk.now)
	if err != nil || restarted.Leaf().SerialNumber.Cmp(first.SerialNumber) != 0 {
		t.Fatalf("a restart re-issued a certificate that still fits: %v", err)
	}

	// Close to expiry it is replaced, by the same CA.
	clk.set(first.NotAfter.Add(-renewBefore + time.Minute))
	if renewed, err := is.RenewIfDue(); err != nil || !renewed {
		t.Fatalf("not renewed %v before expiry: %v %v", renewBefore-time.Minute, renewed, err)
	}
	second := is.Leaf()
	if second.SerialNumber.Cmp(first.SerialNumber) == 0 || !second.NotAfter.After(first.NotAfter) {
		t.Fatal("renewal kept the old certificate")
	}
	if err := second.CheckSignatureFrom(ca.Certificate()); err != nil {
		t.Errorf("renewed leaf is not signed by the CA: %v", err)
	}
	reopened, err := Open(data, clk.now())
	if err != nil || reopened.Created || reopened.Fingerprint() != ca.Fingerprint() {
		t.Fatalf("the CA changed with the renewal: %v", err)
	}
	loaded, err := NewIssuer(reopened, []string{"valet.lan", "192.168.1.20"}, clk.now)
	if err != nil || loaded.Leaf().SerialNumber.Cmp(second.SerialNumber) != 0 {
		t.Fatalf("the renewed certificate was not stored: %v", err)
	}

	// Another --base-url host gets a certificate of its own at the next start.
	other, err := NewIssuer(reopened, []string{"valet.example"}, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	if other.Leaf().VerifyHostname("valet.example") != nil || other.Leaf().VerifyHostname("valet.lan") == nil {
		t.Error("a new host set did not get a new certificate")
	}
}

// serveTLS answers "ok" over TLS with the issuer's configuration on a loopback port.
func serveTLS(t *testing.T, is *Issuer) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Proto) }),
		ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(tls.NewListener(ln, is.TLSConfig()))
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func get(pool *x509.CertPool, url string) (string, error) {
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestHandshakeTrustsOnlyTheCAAndRenewsALeafThatSleptPastItsTime(t *testing.T) {
	// The server's clock starts a week behind, so its first certificate, valid for the client's real
	// clock, has an hour left.
	clk := &clock{t: time.Now().Add(-LeafLifetime + time.Hour)}
	ca, err := Open(t.TempDir(), clk.now())
	if err != nil {
		t.Fatal(err)
	}
	is, err := NewIssuer(ca, nil, clk.now)
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTLS(t, is)
	_, port, _ := net.SplitHostPort(addr)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Certificate())
	for _, u := range []string{"https://" + addr + "/", "https://localhost:" + port + "/"} {
		proto, err := get(pool, u)
		if err != nil {
			t.Fatalf("client trusting the CA: %v", err)
		}
		if proto != "HTTP/2.0" {
			t.Errorf("%s answered over %s, want HTTP/2 offered", u, proto)
		}
	}
	var unknown x509.UnknownAuthorityError
	if _, err := get(x509.NewCertPool(), "https://"+addr+"/"); !errors.As(err, &unknown) {
		t.Errorf("client trusting nothing: %v, want an unknown authority error", err)
	}

	// The machine slept past the renewal checks (the server's clock jumps a week): the next handshake
	// gets a new certificate.
	before := is.Leaf().SerialNumber
	clk.set(time.Now())
	if _, err := get(pool, "https://"+addr+"/"); err != nil {
		t.Fatal(err)
	}
	if is.Leaf().SerialNumber.Cmp(before) == 0 {
		t.Error("a handshake past the renewal time presented the old certificate")
	}
}
