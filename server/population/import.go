package population

import (
	"strconv"
	"strings"
)

// ImportResult is what one imported file stored.
type ImportResult struct {
	Path      string
	Resources int
}

// ImportError locates why a file was refused; nothing from that file was stored.
type ImportError struct {
	Path  string
	Line  int // 0 when unknown
	Entry int // -1 when not a Bundle entry
	Msg   string
	// Unresolved: a conditional reference (Practitioner?identifier=…) matched nothing. Another file
	// may create what it names: Synthea's patient files refer to the practitioners and organizations of
	// its practitionerInformation and hospitalInformation files.
	Unresolved bool
}

func (e *ImportError) Error() string {
	var where strings.Builder
	where.WriteString(e.Path)
	if e.Line > 0 {
		where.WriteString(":" + strconv.Itoa(e.Line))
	}
	if e.Entry >= 0 {
		where.WriteString(" (entry " + strconv.Itoa(e.Entry) + ")")
	}
	return where.String() + ": " + e.Msg + "; nothing from this file was stored"
}
