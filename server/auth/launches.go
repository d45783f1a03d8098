package auth

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/valet-sandbox/valet/server/ref"
	"net/url"

	"github.com/valet-sandbox/valet/server/events"
	"github.com/valet-sandbox/valet/server/store"
)

// LaunchInput is the body of POST /api/launches.
type LaunchInput struct {
	ClientID          string          `json:"client_id"`
	Patient           string          `json:"patient"`
	Encounter         string          `json:"encounter"`
	User              string          `json:"user"`
	LaunchURI         string          `json:"launch_uri"`
	Intent            string          `json:"intent"`
	FHIRContext       json.RawMessage `json:"fhir_context"`
	NeedPatientBanner *bool           `json:"need_patient_banner"`
	SmartStyleURL     string          `json:"smart_style_url"`
	Tenant            string          `json:"tenant"`
	AutoApprove       bool            `json:"auto_approve"`
}

// LaunchOutput is what the control API returns: the launch id, the iss, and the app's launch URL.
type LaunchOutput struct {
	Launch string `json:"launch"`
	ISS    string `json:"iss"`
	URL    string `json:"url"`
}

// ErrBadLaunch marks invalid launch input (the control API answers 400).
var ErrBadLaunch = errors.New("invalid launch")

// CreateLaunch creates an EHR launch (SMART App Launch 2.2 §EHR launch): the app is opened at its launch
// URL with iss and an opaque, single-use launch id.
func (s *Server) CreateLaunch(ctx context.Context, in LaunchInput) (LaunchOutput, error) {
	c, err := s.client(ctx, in.ClientID)
	if err != nil {
		return LaunchOutput{}, errors.Join(ErrBadLaunch, errors.New("unknown client_id "+quote(in.ClientID)))
	}
	uri := in.LaunchURI
	if uri == "" {
		uri = c.LaunchURI
	}
	if !isHTTPURL(uri) {
		return LaunchOutput{}, errors.Join(ErrBadLaunch, errors.New("no launch_uri: give one or register it with the client"))
	}
	user, err := ref.ParseUser(in.User)
	if err != nil {
		return LaunchOutput{}, errors.Join(ErrBadLaunch, errors.New("user must be Practitioner/{id} or Patient/{id}"))
	}
	refs := [][2]string{{"Patient", in.Patient}, {"Encounter", in.Encounter}, {user.Type, user.ID}}
	for _, ref := range refs {
		if ref[1] == "" {
			continue
		}
		if err := s.mustExist(ctx, ref[0], ref[1]); errors.Is(err, errNoRecord) {
			return LaunchOutput{}, errors.Join(ErrBadLaunch, err)
		} else if err != nil {
			return LaunchOutput{}, err
		}
	}
	if len(in.FHIRContext) > 0 {
		var arr []map[string]any
		if json.Unmarshal(in.FHIRContext, &arr) != nil {
			return LaunchOutput{}, errors.Join(ErrBadLaunch, errors.New("fhir_context must be an array of objects (SMART 2.2)"))
		}
	}
	now := s.now()
	l := store.Launch{ID: randomToken(16), ClientID: c.ID, Patient: in.Patient, Encounter: in.Encounter, User: user, LaunchURI: uri,
		Intent: in.Intent, FHIRContext: in.FHIRContext, NeedPatientBanner: in.NeedPatientBanner, SmartStyleURL: in.SmartStyleURL,
		Tenant: in.Tenant, AutoApprove: in.AutoApprove, CreatedAt: now, ExpiresAt: now.Add(LaunchLifetime)}
	if err := s.store.CreateLaunch(ctx, l); err != nil {
		return LaunchOutput{}, err
	}
	out := LaunchOutput{Launch: l.ID, ISS: s.fhirBase, URL: withQuery(uri, url.Values{"iss": {s.fhirBase}, "launch": {l.ID}})}
	s.record(events.Event{Kind: "launch.created", LaunchID: l.ID, ClientID: c.ID, Response: map[string]any{"url": out.URL}})
	return out, nil
}
