package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// BenchmarkNow: what the sandbox clock costs every reading of it — with no offset, one atomic load beside
// time.Now; with one, an addition more.
func BenchmarkNow(b *testing.B) {
	db, err := store.Open(context.Background(), store.Memory, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	b.Run("time.Now", func(b *testing.B) {
		for range b.N {
			_ = time.Now()
		}
	})
	b.Run("offset=0", func(b *testing.B) {
		for range b.N {
			_ = db.Now()
		}
	})
	if err := db.SetClockOffset(context.Background(), time.Hour); err != nil {
		b.Fatal(err)
	}
	b.Run("offset=1h", func(b *testing.B) {
		for range b.N {
			_ = db.Now()
		}
	})
}
