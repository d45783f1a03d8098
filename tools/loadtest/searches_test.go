package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/fhir/search"
)

// BenchmarkSearches times the first page of every search of search.Catalog through a real `valet serve`,
// on the default sandbox's population and on 10,000 generated patients, with a system/ and a user/
// token: the benchmark form of `loadtest -searches` (searches.go), sharing its cache of populations.
//
//	go test ./tools/loadtest -run '^$' -bench Searches -benchtime 30x
//
// VALET_BIN names the valet binary (built from this module into a temporary directory otherwise);
// VALET_SEARCH_PATIENTS the large population (10,000); VALET_SEARCH_CACHE the cache directory
// ($TMPDIR/valet-searchbench). The first run generates the population, which takes minutes.
func BenchmarkSearches(b *testing.B) {
	valet := os.Getenv("VALET_BIN")
	if valet == "" {
		valet = filepath.Join(b.TempDir(), "valet")
		cmd := exec.Command("go", "build", "-o", valet, "github.com/valet-sandbox/valet")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("go build: %v", err)
		}
	}
	large := 10000
	if v := os.Getenv("VALET_SEARCH_PATIENTS"); v != "" {
		fmt.Sscan(v, &large)
	}
	cache := os.Getenv("VALET_SEARCH_CACHE")
	if cache == "" {
		cache = filepath.Join(os.TempDir(), "valet-searchbench")
	}
	for _, size := range []struct {
		name     string
		patients int
		personas bool
	}{{"patients=41", 25, true}, {fmt.Sprintf("patients=%d", large), large, false}} {
		b.Run(size.name, func(b *testing.B) {
			s, err := openSearchSandbox(context.Background(), valet, cache, size.patients, size.personas)
			if err != nil {
				b.Fatal(err)
			}
			defer s.stop()
			for _, q := range search.Catalog {
				u := s.url(q)
				for _, tok := range []string{"system", "user"} {
					if time.Since(s.issued) > 2*time.Minute {
						if err := s.renew(); err != nil {
							b.Fatal(err)
						}
					}
					// A benchmark's name is split at slashes: the query's are written as "÷".
					b.Run(tok+"/"+strings.ReplaceAll(q, "/", "÷"), func(b *testing.B) {
						for range b.N {
							if _, err := s.get(u, s.tokens[tok]); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			}
		})
	}
}
