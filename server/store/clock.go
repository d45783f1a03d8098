package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// The sandbox clock is Options.Now shifted by an offset the user sets (GET/PUT /api/clock), so that an
// app meets expired tokens, launches and sessions, or a clock skew, without waiting. The store owns it
// because every part of the sandbox already reads time from the store or is given the store's Now
// (server.New), so one offset moves every iat, exp and nbf issued and every expiry check made — the
// authorization server's, the FHIR server's and the store's own (refresh tokens, launches, sessions,
// pending requests, retention).
//
// The offset is kept in the settings table, so a sandbox restarted mid-reproduction keeps its clock.

// MaxClockOffset bounds the offset: ten years either way is past every lifetime Valet issues, and keeps
// every shifted time well inside what Unix seconds, JSON and the database's microseconds can hold.
const MaxClockOffset = 10 * 365 * 24 * time.Hour

const clockOffsetSetting = "clock_offset_seconds"

// sandboxNow is the clock every reader of db.now gets. With no offset it is Options.Now itself plus one
// atomic load.
func (db *DB) sandboxNow() time.Time {
	if d := db.offset.Load(); d != 0 {
		return db.base().Add(time.Duration(d))
	}
	return db.base()
}

// ClockOffset is how far the sandbox clock is ahead of Options.Now (negative: behind).
func (db *DB) ClockOffset() time.Duration { return time.Duration(db.offset.Load()) }

// SetClockOffset moves the sandbox clock to Options.Now + d (truncated to whole seconds) and stores the
// offset; callers check the bound (MaxClockOffset) first, this refuses beyond it. Callers that cache time-dependent answers (the token verifier's cache) must drop
// them; the cached verifications check expiry against the clock on every use, so they follow anyway.
func (db *DB) SetClockOffset(ctx context.Context, d time.Duration) error {
	d = d.Truncate(time.Second)
	if d > MaxClockOffset || d < -MaxClockOffset {
		return fmt.Errorf("store: clock offset %v is beyond ±%v", d, MaxClockOffset)
	}
	var err error
	if d == 0 {
		err = db.DeleteSetting(ctx, clockOffsetSetting)
	} else {
		err = db.PutSetting(ctx, clockOffsetSetting, strconv.FormatInt(int64(d/time.Second), 10))
	}
	if err != nil {
		return err
	}
	db.offset.Store(int64(d))
	return nil
}

// loadClockOffset restores the stored offset when the database opens.
func (db *DB) loadClockOffset(ctx context.Context) error {
	v, err := db.Setting(ctx, clockOffsetSetting)
	if errors.Is(err, ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	secs, err := strconv.ParseInt(v, 10, 64)
	if err != nil || time.Duration(secs)*time.Second > MaxClockOffset || time.Duration(secs)*time.Second < -MaxClockOffset {
		return fmt.Errorf("setting %s holds %q, not a clock offset in seconds", clockOffsetSetting, v)
	}
	db.offset.Store(int64(time.Duration(secs) * time.Second))
	return nil
}
