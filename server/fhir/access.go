package fhir

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir/search"
	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

// authenticate verifies the bearer token of r (RFC 6750 §2.1). Failures are 401 with WWW-Authenticate.
func (s *Service) authenticate(r *http.Request) (*token.Access, *Outcome) {
	h := r.Header.Get("Authorization")
	bearer, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		if b, ok2 := strings.CutPrefix(h, "bearer "); ok2 {
			bearer, ok = b, true
		}
	}
	if !ok || strings.TrimSpace(bearer) == "" {
		o := outcome(http.StatusUnauthorized, "login", "this request needs an access token (Authorization: Bearer …)")
		o.Header = http.Header{"Www-Authenticate": {`Bearer realm="` + s.base + `"`}}
		return nil, o
	}
	acc, err := s.cfg.Verifier.Verify(r.Context(), strings.TrimSpace(bearer))
	if err != nil && !errors.Is(err, token.ErrInvalidToken) {
		// The verifier could not tell (its store failed): the token may well be good, so not a 401, and
		// the store's text stays in the log.
		return nil, internal(err)
	}
	if err != nil {
		return nil, s.invalidToken(err.Error())
	}
	return acc, nil
}

// invalidToken is the 401 of a token that is no good (RFC 6750 §3.1: error="invalid_token").
func (s *Service) invalidToken(reason string) *Outcome {
	o := outcome(http.StatusUnauthorized, "login", "%s", reason)
	o.Header = http.Header{"Www-Authenticate": {`Bearer realm="` + s.base + `", error="invalid_token", error_description="` +
		strings.ReplaceAll(reason, `"`, "'") + `"`}}
	return o
}

// insufficientScope marks o, a 403, as RFC 6750 §3.1's insufficient_scope, naming the scope that would
// have permitted the request when it is known (§3: the scope attribute).
func (s *Service) insufficientScope(needed string, o *Outcome) *Outcome {
	h := `Bearer realm="` + s.base + `", error="insufficient_scope", error_description="the access token has no scope for this interaction"`
	if needed != "" {
		h += `, scope="` + needed + `"`
	}
	o.Header = http.Header{"Www-Authenticate": {h}}
	return o
}

// A permit is what an access token allows for one interaction on one type: nothing (an Outcome), all of
// it (restrict nil), or the resources matching restrict — the union over the scopes that grant the
// interaction, each confining to a compartment and to its v2 query restriction. (A store.Grant is the
// authorization decision the token was issued under; a permit is what the token allows here.)
type permit struct {
	restrict *store.Cond
	// stateCodes are the app state codes (Basic.code) a permit on Basic may write; nil for other types.
	stateCodes []string
}

func (s *Service) authorize(acc *token.Access, typ string, p scope.Perms) (permit, *Outcome) {
	var alts []store.Cond
	permitted := false
	for _, ctx := range scope.Contexts {
		for _, sc := range acc.Scopes.Permits(ctx, typ, p) {
			var conds []store.Cond
			if spec.InPatientCompartment(typ) {
				// The consent page applies the same rule to what it offers.
				id, ok := sc.Compartment(acc.User, acc.Patient)
				if !ok {
					continue
				}
				if id != "" {
					conds = append(conds, store.InCompartment(id))
				}
			}
			if typ == appStateType {
				ac, ok := s.appStateConds(acc, ctx)
				if !ok {
					continue
				}
				conds = append(conds, ac...)
			}
			ok := true
			for k, vs := range sc.Query {
				for _, v := range vs {
					c, known, err := search.Criterion(typ, k, v, search.Options{Base: s.base, Now: s.now()})
					if err != nil || !known {
						ok = false // a restriction this server cannot enforce permits nothing
						break
					}
					conds = append(conds, c)
				}
			}
			if !ok {
				continue
			}
			permitted = true
			if len(conds) == 0 {
				return permit{}, nil
			}
			alts = append(alts, store.And(conds...))
		}
	}
	if !permitted {
		if typ == appStateType && len(acc.StateCodes) == 0 {
			return permit{}, forbidden("Basic resources on this server are SMART app state, and this app has no app state codes " +
				"registered (valet_app_state_codes in its registration)")
		}
		ctx := scope.System
		switch {
		case acc.Patient != "":
			ctx = scope.Patient
		case !acc.User.IsZero():
			ctx = scope.User
		}
		needed := fmt.Sprintf("%s/%s.%s", ctx, typ, p)
		return permit{}, s.insufficientScope(needed, forbidden("the access token has no scope for this interaction: it needs %s (granted: %s)",
			needed, acc.Scopes.Resource()))
	}
	c := store.Or(alts...)
	pm := permit{restrict: &c}
	if typ == appStateType {
		pm.stateCodes = acc.StateCodes
	}
	return pm, nil
}

func (p permit) conds() []store.Cond {
	if p.restrict == nil {
		return nil
	}
	return []store.Cond{*p.restrict}
}

// visible reports whether the stored row rid is within the permit.
func (p permit) visible(ctx context.Context, db store.Searcher, rid int64) (bool, error) {
	if p.restrict == nil {
		return true, nil
	}
	return db.Matches(ctx, rid, *p.restrict)
}

func (p permit) visibleTx(ctx context.Context, tx *store.Tx, rid int64) (bool, error) {
	if p.restrict == nil {
		return true, nil
	}
	return tx.Matches(ctx, rid, *p.restrict)
}

// Authenticate verifies a request's bearer token as every FHIR interaction does, for the Bulk Data
// endpoints (server/bulk), which take the same tokens.
func (s *Service) Authenticate(r *http.Request) (*token.Access, *Outcome) { return s.authenticate(r) }

// Permit is what acc allows of typ for the interactions p, as the FHIR API enforces it: nil for every
// resource of the type, a condition the resources must satisfy, or an Outcome (403) when it allows none.
// The Bulk Data export (server/bulk) writes exactly what a search with the same token would return.
func (s *Service) Permit(acc *token.Access, typ string, p scope.Perms) (*store.Cond, *Outcome) {
	pm, o := s.authorize(acc, typ, p)
	if o != nil {
		return nil, o
	}
	return pm.restrict, nil
}
