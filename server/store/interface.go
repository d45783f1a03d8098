package store

import (
	"context"
	"time"
)

// Resources is the versioned FHIR resource store. Writes happen in a transaction (see Writer).
type Resources interface {
	ReadResource(ctx context.Context, typ, id string) (Resource, error)
	ReadVersion(ctx context.Context, typ, id string, version int64) (Resource, error)
	History(ctx context.Context, typ, id string) ([]Resource, error)
	CountByType(ctx context.Context) (map[string]int, error)
}

// Writer runs write transactions.
type Writer interface {
	Tx(ctx context.Context, fn func(tx *Tx) error) error
	// Checkpoint folds the write-ahead log into the main file, after a bulk load.
	Checkpoint(ctx context.Context) error
	// Cores admits CPU work that prepares writes beside the writer (cpuadmission.go).
	Cores() Cores
}

// Searcher answers searches from the index tables that Tx.PutIndexed fills.
type Searcher interface {
	Search(ctx context.Context, q Query) (Page, error)
	Matches(ctx context.Context, rid int64, where ...Cond) (bool, error)
	Included(ctx context.Context, rids []int64, param, targetType string, restrict ...Cond) ([]Resource, error)
	RevIncluded(ctx context.Context, targets []Resource, srcType, param string, restrict ...Cond) ([]Resource, error)
	VersionHistory(ctx context.Context, hq HistoryQuery) ([]Resource, bool, error)
}

// Settings holds the sandbox's named settings.
type Settings interface {
	Setting(ctx context.Context, key string) (string, error)
	PutSetting(ctx context.Context, key, value string) error
	DeleteSetting(ctx context.Context, key string) error
}

// Store is everything the server needs from persistence. Each area adds its interface here as it lands.
type Store interface {
	Resources
	Searcher
	Writer
	Settings
	// The authorization server's tables (server/auth, server/keys, server/events).
	Clients
	Grants
	Launches
	SigningKeys
	Events
	UserPasswords
	Expiry
	Revocations
	Consents
	// ClockOffset and SetClockOffset move the sandbox clock (clock.go).
	ClockOffset() time.Duration
	SetClockOffset(ctx context.Context, d time.Duration) error
	Path() string
	Now() time.Time
	Close() error
}

var _ Store = (*DB)(nil)
