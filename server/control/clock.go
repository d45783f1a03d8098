package control

import (
	"context"
	"net/http"
	"time"

	"github.com/valet-sandbox/valet/server/wire"
)

// Clock is the sandbox clock (the store's): time.Now shifted by an offset that every issued token and
// every expiry check follows.
type Clock interface {
	Now() time.Time
	ClockOffset() time.Duration
	SetClockOffset(ctx context.Context, d time.Duration) error
}

// maxClockOffset bounds the offset: ten years either way (store.MaxClockOffset).
const maxClockOffset = 10 * 365 * 24 * 3600

// GET /api/clock and PUT /api/clock with {"offset_seconds": N} read and move the sandbox clock.
func (a *API) mountClock(mux *http.ServeMux) {
	if a.Clock == nil {
		return
	}
	mux.HandleFunc("GET /api/clock", a.getClock)
	mux.HandleFunc("PUT /api/clock", a.putClock)
}

func (a *API) clockNow() wire.Clock {
	return wire.Clock{OffsetSeconds: int64(a.Clock.ClockOffset() / time.Second), Now: a.Clock.Now().UTC()}
}

func (a *API) getClock(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, a.clockNow())
}

func (a *API) putClock(w http.ResponseWriter, r *http.Request) {
	var in wire.ClockInput
	if !readJSON(w, r, &in) {
		return
	}
	switch {
	case in.OffsetSeconds == nil:
		fail(w, r, wire.Invalid("offset_seconds", "offset_seconds is required (seconds ahead of the computer's clock, negative behind; 0 puts it back)"))
		return
	case *in.OffsetSeconds > maxClockOffset || *in.OffsetSeconds < -maxClockOffset:
		fail(w, r, wire.Invalid("offset_seconds", "offset_seconds must be within ±%d (ten years)", maxClockOffset))
		return
	}
	if err := a.Clock.SetClockOffset(r.Context(), time.Duration(*in.OffsetSeconds)*time.Second); err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a.clockNow())
}
