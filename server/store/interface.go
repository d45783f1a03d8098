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
	Writer
	Settings
	// The authorization server's tables (server/auth, server/keys, server/events).
	Clients
	Grants
	Launches
	SigningKeys
	Events
	UserPasswords
	Path() string
	Now() time.Time
	Close() error
}

var _ Store = (*DB)(nil)
