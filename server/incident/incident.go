// Package incident reports unexpected server errors: the error goes to the log under a short random id,
// and the client is told only that id. Database and driver text (SQL, file paths) never reaches a client;
// the id lets the user find the details in Valet's log.
package incident

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
)

// Report logs err for request r (which may be nil) and returns the sentence a client is shown instead.
func Report(r *http.Request, err error) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	attrs := []any{"error_id", id, "err", err}
	if r != nil {
		attrs = append(attrs, "method", r.Method, "path", r.URL.Path)
	}
	slog.Error("internal error", attrs...)
	return "internal error; Valet's log has the details under error id " + id
}
