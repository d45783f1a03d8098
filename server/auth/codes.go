package auth

import (
	"crypto/sha256"
	"errors"
	"github.com/valet-sandbox/valet/server/scope"
	"sync"
	"time"

	"github.com/valet-sandbox/valet/server/store"
)

// Authorization codes live in memory, not in SQLite. A code lasts CodeLifetime (60 s) and is used once;
// writing it at the authorization endpoint cost a WAL transaction per flow, and a restart is the only
// thing the disk would have survived. Instead the code carries the grant it becomes, and the token
// endpoint writes the grant with its first tokens in one transaction. A restart forgets outstanding
// codes: their apps get invalid_grant and start again (docs/auth.md).

// DefaultMaxOutstandingCodes bounds the codes issued and neither exchanged nor expired. Ten thousand
// within one minute is a runaway client, not a developer; past it the authorization endpoint answers
// temporarily_unavailable until codes are exchanged or expire.
const DefaultMaxOutstandingCodes = 10_000

// codeSweepEvery is how often issuing a code also forgets expired ones.
const codeSweepEvery = 10 * time.Second

// authCode is an outstanding code: what the token request must repeat, and the grant it becomes.
type authCode struct {
	ClientID    string
	RedirectURI string
	// RedirectOmitted: the authorization request had no redirect_uri (the client's only one was used),
	// so the token request may omit it too (RFC 6749 §4.1.3).
	RedirectOmitted bool
	CodeChallenge   string
	Nonce           string
	ExpiresAt       time.Time
	Grant           store.Grant
	// Scopes is Grant.Scope as the consent gave it, and Context is Grant.Context as the token response
	// carries it: finish has both at hand, so the code exchange parses and decodes neither again.
	Scopes  scope.Set
	Context launchContext
}

// usedCode is what is kept of a redeemed code until it would have expired: enough to revoke what it
// issued if it comes back (RFC 6749 §4.1.2).
type usedCode struct {
	grantID   string
	expiresAt time.Time
	replayed  bool // presented again: the redemption in flight must not store its grant
}

// codeKey is how a code is remembered: its SHA-256, like every stored credential (a heap dump does not
// hand out live codes).
type codeKey [sha256.Size]byte

func keyOf(code string) codeKey { return sha256.Sum256([]byte(code)) }

var (
	errCodeUnknown  = errors.New("unknown code")
	errCodeExpired  = errors.New("expired code")
	errCodeReplayed = errors.New("replayed code")
	errTooManyCodes = errors.New("too many outstanding codes")
)

// codeBook holds outstanding and recently used codes. Memory stays bounded: outstanding codes are
// capped, and both kinds are forgotten once expired (swept as new codes are issued).
type codeBook struct {
	mu          sync.Mutex
	max         int
	outstanding map[codeKey]*authCode
	used        map[codeKey]*usedCode
	nextSweep   time.Time
}

func newCodeBook(max int) *codeBook {
	if max <= 0 {
		max = DefaultMaxOutstandingCodes
	}
	return &codeBook{max: max, outstanding: map[codeKey]*authCode{}, used: map[codeKey]*usedCode{}}
}

// issue remembers a new code; errTooManyCodes when the cap is reached even after a sweep.
func (b *codeBook) issue(now time.Time, k codeKey, ac *authCode) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !now.Before(b.nextSweep) || len(b.outstanding) >= b.max {
		b.sweep(now)
	}
	if len(b.outstanding) >= b.max {
		return errTooManyCodes
	}
	b.outstanding[k] = ac
	return nil
}

// withdraw forgets a code that was never handed out.
func (b *codeBook) withdraw(k codeKey) {
	b.mu.Lock()
	delete(b.outstanding, k)
	b.mu.Unlock()
}

func (b *codeBook) sweep(now time.Time) {
	for k, ac := range b.outstanding {
		if !now.Before(ac.ExpiresAt) {
			delete(b.outstanding, k)
		}
	}
	for k, u := range b.used {
		if !now.Before(u.expiresAt) {
			delete(b.used, k)
		}
	}
	b.nextSweep = now.Add(codeSweepEvery)
}

// redeem uses a code up: from now on it is a used code, whatever the token request's checks decide
// (a wrong PKCE verifier or client burns it, so a stolen code cannot be tried again and again). A code
// presented a second time yields errCodeReplayed with the id of the grant to revoke; an expired one
// errCodeExpired (until swept, then errCodeUnknown).
func (b *codeBook) redeem(now time.Time, k codeKey) (ac *authCode, replayedGrant string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if u, ok := b.used[k]; ok {
		u.replayed = true
		return nil, u.grantID, errCodeReplayed
	}
	ac, ok := b.outstanding[k]
	switch {
	case !ok:
		return nil, "", errCodeUnknown
	case !now.Before(ac.ExpiresAt):
		return nil, "", errCodeExpired
	}
	delete(b.outstanding, k)
	b.used[k] = &usedCode{grantID: ac.Grant.ID, expiresAt: ac.ExpiresAt}
	return ac, "", nil
}

// replayed says whether a redeemed code has been presented again since. The token endpoint asks inside
// the transaction that stores the grant: a replay either comes before (nothing is stored) or its
// revocation queues behind that transaction on the single SQLite writer (and revokes what it stored).
// A used code already swept (it expired meanwhile) can no longer be replayed: it is unknown.
func (b *codeBook) replayed(k codeKey) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.used[k]
	return ok && u.replayed
}

// expire makes the outstanding codes that match expire now (the control API's expire-now); it says how
// many did. The code then fails as one past its 60 seconds does.
func (b *codeBook) expire(now time.Time, match func(k codeKey, ac *authCode) bool) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for k, ac := range b.outstanding {
		if now.Before(ac.ExpiresAt) && match(k, ac) {
			ac.ExpiresAt, n = now, n+1
		}
	}
	return n
}

// withdrawWhere forgets the outstanding codes that match (a revocation of their app or user): their
// exchange then fails as for an unknown code. It says how many it forgot.
func (b *codeBook) withdrawWhere(match func(ac *authCode) bool) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for k, ac := range b.outstanding {
		if match(ac) {
			delete(b.outstanding, k)
			n++
		}
	}
	return n
}
