package fhir

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/valet-sandbox/valet/server/fhir/spec"
	"github.com/valet-sandbox/valet/server/scope"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/token"
)

// References inside a Bundle: to other entries (their fullUrl, often urn:uuid:…) and conditional
// references (Practitioner?identifier=…), which Synthea writes for every shared practitioner,
// organization and location.

// condRefs resolves the conditional references of one Bundle, each distinct reference once (a patient's
// record names the same practitioner in most of its entries). Inside the write transaction (tx set)
// what it finds is final. Before it (resolveAhead, tx nil) it searches the read side and remembers where
// it rewrote each reference: the transaction then checks with still that each names the same resource,
// and if one does not, undo puts them all back for resolve to answer.
//
// A conditional reference is a search, made for the client that sent the Bundle: it needs the token's
// search permission on the type and sees only what that permission shows. Otherwise a patient-scoped
// app could learn, from which references resolve, what another patient's record holds, and could link
// to it.
type condRefs struct {
	tx      *store.Tx
	acc     *token.Access     // whose searches these are; nil for the sandbox itself (valet import)
	permits map[string]permit // type → acc's search permit on it
	to      map[string]string // Type?query → Type/id
	sites   []condSite        // ahead only: the references rewritten
}

// condSite is a Reference element whose conditional reference was rewritten.
type condSite struct {
	elem map[string]any
	was  string
}

// errNeedsStore is rewriteRefs's answer, before the transaction, to a conditional reference that does
// not name exactly one resource on the read side: the transaction decides, and reports.
var errNeedsStore = errors.New("a conditional reference needs the store")

// unresolvedCode is the issue code of a 412 for a conditional reference that matches nothing.
const unresolvedCode = "not-found"

// UnresolvedReference reports whether err refused a transaction because a conditional reference matched
// nothing: the import tries such a file again once other files may have created what it names.
func UnresolvedReference(err error) bool {
	var o *Outcome
	return errors.As(err, &o) && o.Status == http.StatusPreconditionFailed && len(o.Issues) > 0 && o.Issues[0].Code == unresolvedCode
}

// resolve returns the Type/id that ref (typ?q) names.
func (c *condRefs) resolve(ctx context.Context, s *Service, ref, typ, q string, e *entry) (string, error) {
	if to, ok := c.to[ref]; ok {
		return to, nil
	}
	p, o := c.searchPermit(s, ref, typ)
	if o != nil {
		return "", at(e, o)
	}
	var on searcher = s.cfg.Store
	if c.tx != nil {
		on = c.tx
	}
	found, o := s.conditional(ctx, on, typ, q, p)
	if c.tx == nil && (o != nil || found == nil) {
		return "", errNeedsStore
	}
	if o != nil {
		return "", at(e, o)
	}
	if found == nil {
		return "", at(e, outcome(http.StatusPreconditionFailed, unresolvedCode, "the conditional reference %s matches nothing", ref))
	}
	if c.to == nil {
		c.to = map[string]string{}
	}
	c.to[ref] = found.Type + "/" + found.ID
	return c.to[ref], nil
}

// searchPermit is what the search of the conditional reference ref (of type typ) may see: everything
// for the sandbox itself, else the token's search permit on typ (an Outcome when it has none).
func (c *condRefs) searchPermit(s *Service, ref, typ string) (permit, *Outcome) {
	if c.acc == nil {
		return permit{}, nil
	}
	if p, ok := c.permits[typ]; ok {
		return p, nil
	}
	p, o := s.authorize(c.acc, typ, scope.Search)
	if o != nil {
		o.Issues[0].Diagnostics = "the conditional reference " + ref + " is a search of " + typ + ": " + o.Issues[0].Diagnostics
		return permit{}, o
	}
	if c.permits == nil {
		c.permits = map[string]permit{}
	}
	c.permits[typ] = p
	return p, nil
}

// still reports whether every reference resolved before the transaction names the same resource in tx.
func (c *condRefs) still(ctx context.Context, s *Service, tx *store.Tx) bool {
	for ref, to := range c.to {
		typ, q, _ := strings.Cut(ref, "?")
		found, o := s.conditional(ctx, tx, typ, q, c.permits[typ])
		if o != nil || found == nil || found.Type+"/"+found.ID != to {
			return false
		}
	}
	return true
}

// undo puts back the conditional references rewritten before the transaction.
func (c *condRefs) undo() {
	for _, st := range c.sites {
		st.elem["reference"] = st.was
	}
	c.to, c.sites = nil, nil
}

// rewriteRefs replaces, in v, references to other entries' fullUrls (refs: fullUrl → Type/id) and
// conditional references (through cond) with Type/id.
func (s *Service) rewriteRefs(ctx context.Context, v any, refs map[string]string, e *entry, cond *condRefs) error {
	switch x := v.(type) {
	case map[string]any:
		for k, y := range x {
			if ref, ok := y.(string); ok && k == "reference" {
				if to, ok := refs[ref]; ok {
					x[k] = to
				} else if typ, q, ok := strings.Cut(ref, "?"); ok && spec.IsResourceType(typ) {
					to, err := cond.resolve(ctx, s, ref, typ, q, e)
					if err != nil {
						return err
					}
					if cond.tx == nil {
						cond.sites = append(cond.sites, condSite{elem: x, was: ref})
					}
					x[k] = to
				} else if strings.HasPrefix(ref, "urn:uuid:") {
					return at(e, badRequest("the reference %s names no entry of the Bundle", ref))
				}
				continue
			}
			if err := s.rewriteRefs(ctx, y, refs, e, cond); err != nil {
				return err
			}
		}
	case []any:
		for _, y := range x {
			if err := s.rewriteRefs(ctx, y, refs, e, cond); err != nil {
				return err
			}
		}
	}
	return nil
}
