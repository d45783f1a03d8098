package server

import (
	"context"
	"net/http"

	"github.com/valet-sandbox/valet/server/admin"
)

// newAdmin turns on shared mode when the config asks for it.
func (s *Server) newAdmin() error {
	if s.cfg.Shared == nil {
		return nil
	}
	ac := *s.cfg.Shared
	ac.BaseURL, ac.Store, ac.Now = s.cfg.BaseURL, s.cfg.Store, s.cfg.Now
	var err error
	s.admin, err = admin.New(context.Background(), ac)
	return err
}

// protect puts /api behind the admin's sign-in in shared mode.
func (s *Server) protect(api http.Handler) http.Handler {
	if s.admin == nil {
		return api
	}
	return s.admin.Protect(api)
}

// protectUI puts the control panel behind the admin's sign-in in shared mode.
func (s *Server) protectUI(ui http.Handler) http.Handler {
	if s.admin == nil {
		return ui
	}
	return s.admin.ProtectUI(ui)
}

// registration is who may use dynamic registration: nil (the loopback rule) in local mode.
func (s *Server) registration() func(*http.Request) (bool, error) {
	if s.admin == nil {
		return nil
	}
	return s.admin.Registrant
}

// warning is what the control panel shows about how the sandbox is served.
func (s *Server) warning() string {
	if s.cfg.Shared == nil {
		return ""
	}
	return s.cfg.Shared.Warning
}
