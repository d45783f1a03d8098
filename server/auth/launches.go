package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/ref"
	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// CreateLaunch creates an EHR launch (SMART App Launch 2.2 §EHR launch): the app is opened at its launch
// URL with iss and an opaque, single-use launch id.
func (s *Server) CreateLaunch(ctx context.Context, in wire.LaunchInput) (wire.Launch, error) {
	c, err := s.client(ctx, in.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return wire.Launch{}, wire.Invalid("client_id", "unknown client_id %q", in.ClientID)
	} else if err != nil {
		return wire.Launch{}, err
	}
	uri := in.LaunchURI
	if uri == "" {
		uri = c.LaunchURI
	}
	if !isHTTPURL(uri) {
		return wire.Launch{}, wire.Invalid("launch_uri", "no launch_uri: give one or register it with the client")
	}
	user, err := ref.ParseUser(in.User)
	if err != nil {
		return wire.Launch{}, wire.Invalid("user", "user must be Practitioner/{id} or Patient/{id}")
	}
	for _, r := range []struct{ field, typ, id string }{
		{"patient", "Patient", in.Patient}, {"encounter", "Encounter", in.Encounter}, {"user", user.Type, user.ID},
	} {
		if r.id == "" {
			continue
		}
		if err := s.mustExist(ctx, r.typ, r.id); errors.Is(err, errNoRecord) {
			return wire.Launch{}, wire.Invalid(r.field, "%v", err)
		} else if err != nil {
			return wire.Launch{}, err
		}
	}
	if len(in.FHIRContext) > 0 {
		var arr []map[string]any
		if json.Unmarshal(in.FHIRContext, &arr) != nil {
			return wire.Launch{}, wire.Invalid("fhir_context", "fhir_context must be an array of objects (SMART 2.2)")
		}
	}
	now := s.now()
	l := store.Launch{ID: randomToken(16), ClientID: c.ID, Patient: in.Patient, Encounter: in.Encounter, User: user, LaunchURI: uri,
		Intent: in.Intent, FHIRContext: in.FHIRContext, NeedPatientBanner: in.NeedPatientBanner, SmartStyleURL: in.SmartStyleURL,
		Tenant: in.Tenant, AutoApprove: in.AutoApprove, CreatedAt: now, ExpiresAt: now.Add(LaunchLifetime)}
	if err := s.store.CreateLaunch(ctx, l); err != nil {
		return wire.Launch{}, err
	}
	out := wire.Launch{Launch: l.ID, ISS: s.fhirBase, URL: withQuery(uri, url.Values{"iss": {s.fhirBase}, "launch": {l.ID}})}
	s.record(events.Event{Kind: "launch.created", LaunchID: l.ID, ClientID: c.ID, Response: map[string]any{"url": out.URL}})
	return out, nil
}
