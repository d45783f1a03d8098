package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"time"

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
	if err := checkLaunchLifetimes(c, in); err != nil {
		return wire.Launch{}, err
	}
	now := s.now()
	l := store.Launch{ID: randomToken(16), ClientID: c.ID, Patient: in.Patient, Encounter: in.Encounter, User: user, LaunchURI: uri,
		Intent: in.Intent, FHIRContext: in.FHIRContext, NeedPatientBanner: in.NeedPatientBanner, SmartStyleURL: in.SmartStyleURL,
		Tenant: in.Tenant, AutoApprove: in.AutoApprove, AccessTokenLifetime: in.AccessTokenLifetime,
		RefreshTokenLifetime: in.RefreshTokenLifetime, CreatedAt: now, ExpiresAt: now.Add(LaunchLifetime)}
	if err := s.store.CreateLaunch(ctx, l); err != nil {
		return wire.Launch{}, err
	}
	out := wire.Launch{Launch: l.ID, ISS: s.fhirBase, URL: withQuery(uri, url.Values{"iss": {s.fhirBase}, "launch": {l.ID}})}
	s.record(events.Event{Kind: "launch.created", LaunchID: l.ID, ClientID: c.ID, Response: map[string]any{"url": out.URL}})
	return out, nil
}

// checkLaunchLifetimes: a launch may shorten the client's token lifetimes (down to one second, to watch an
// app meet an expired token), never lengthen them — signing keys stay published as long as the longest
// lifetime a client is issued (KeyRetention), and a launch must not outlive that.
func checkLaunchLifetimes(c store.Client, in wire.LaunchInput) error {
	for _, f := range []struct {
		field      string
		got        int
		clientsMax time.Duration
	}{
		{"access_token_lifetime", in.AccessTokenLifetime, accessLifetime(c)},
		{"refresh_token_lifetime", in.RefreshTokenLifetime, lifetime(c.RefreshTokenLifetime, DefaultRefreshTokenLifetime)},
	} {
		switch {
		case f.got < 0:
			return wire.Invalid(f.field, "%s must be at least 1 second (0 keeps the client's)", f.field)
		case time.Duration(f.got)*time.Second > f.clientsMax:
			return wire.Invalid(f.field, "%s of a launch may shorten the client's %d seconds, not lengthen them",
				f.field, int(f.clientsMax.Seconds()))
		}
	}
	return nil
}
