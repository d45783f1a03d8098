package auth

import (
	"net/url"
	"strings"
)

// maxStateCodes bounds how many SMART App State codes one client may register.
const maxStateCodes = 50

// stateCodes checks the SMART App State codes a client registers (valet_app_state_codes): each is
// "system|code", as the Basic search and v2 scope restrictions write a token, where system is an absolute
// URI and code is non-empty. SMART App Launch 2.2 §App State recommends that the system be an origin the
// app's developer controls; Valet cannot verify origins, so it checks the form only. Duplicates collapse.
func stateCodes(in []string) ([]string, *Error) {
	if len(in) > maxStateCodes {
		return nil, errClientMetadata("valet_app_state_codes: at most %d codes", maxStateCodes).about("valet_app_state_codes")
	}
	var out []string
	for _, sc := range in {
		system, code, ok := strings.Cut(sc, "|")
		u, err := url.Parse(system)
		switch {
		case !ok || code == "" || strings.Contains(code, "|"):
			return nil, errClientMetadata("valet_app_state_codes: %q must be system|code (e.g. https://myapp.example.org|display-preferences)", sc).about("valet_app_state_codes")
		case err != nil || !u.IsAbs() || strings.ContainsAny(sc, ", \t\n"):
			return nil, errClientMetadata("valet_app_state_codes: the system of %q must be an absolute URI without commas or spaces", sc).about("valet_app_state_codes")
		}
		if !contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
