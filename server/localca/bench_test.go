package localca

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"testing"
	"time"
)

// BenchmarkHandshake is one full TLS handshake with the issuer's configuration, both ends in this
// process over an in-memory connection: the server's ECDSA P-256 signature and key exchange, and the
// client's verification of the chain against the CA — what a client without a kept-alive or resumed
// connection pays per request (docs/performance.md, HTTPS).
func BenchmarkHandshake(b *testing.B) {
	ca, err := Open(b.TempDir(), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	is, err := NewIssuer(ca, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Certificate())
	server := is.TLSConfig()
	client := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	b.ReportAllocs()
	for b.Loop() {
		c, s := net.Pipe()
		done := make(chan error, 1)
		go func() { done <- tls.Server(s, server).Handshake() }()
		cc := tls.Client(c, client)
		if err := cc.Handshake(); err != nil {
			b.Fatal(err)
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		c.Close()
		s.Close()
	}
}
