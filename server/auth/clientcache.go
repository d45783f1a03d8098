package auth

import (
	"context"
	"sync"

	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
)

// clientCache keeps registered clients in memory: every authorize and token request reads its client,
// and decoding the stored JSON cost as much as a third of the non-signature work of a flow. Clients
// change only through this server (UpdateClient, DeleteClient), which drops the entry; misses are not
// cached, so a client registered by any path is seen at once.
type clientCache struct {
	mu sync.RWMutex
	m  map[string]store.Client
	// scopes holds clients' allowed scopes parsed, by their text: every authorization request checks
	// the requested scopes against them, and most clients share a few scope strings (the default one has
	// ten scopes). Keyed by the text, an updated client finds its own.
	scopes map[string]scope.Set
}

const clientCacheMax = 10_000

func (s *Server) client(ctx context.Context, id string) (store.Client, error) {
	s.clients.mu.RLock()
	c, ok := s.clients.m[id]
	s.clients.mu.RUnlock()
	if ok {
		return c, nil
	}
	c, err := s.store.Client(ctx, id)
	if err != nil {
		return c, err
	}
	s.clients.mu.Lock()
	if s.clients.m == nil || len(s.clients.m) >= clientCacheMax {
		s.clients.m = map[string]store.Client{}
	}
	s.clients.m[id] = c
	s.clients.mu.Unlock()
	return c, nil
}

// allowedScopes is a client's Scope parsed (shared: callers must not change the set).
func (s *Server) allowedScopes(text string) scope.Set {
	s.clients.mu.RLock()
	set, ok := s.clients.scopes[text]
	s.clients.mu.RUnlock()
	if ok {
		return set
	}
	set, _ = scope.ParseList(text)
	s.clients.mu.Lock()
	if s.clients.scopes == nil || len(s.clients.scopes) >= clientCacheMax {
		s.clients.scopes = map[string]scope.Set{}
	}
	s.clients.scopes[text] = set
	s.clients.mu.Unlock()
	return set
}

func (s *Server) forgetClient(id string) {
	s.clients.mu.Lock()
	delete(s.clients.m, id)
	s.clients.mu.Unlock()
}
