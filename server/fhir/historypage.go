package fhir

import (
	"encoding/base64"
	"fmt"

	"github.com/valet-sandbox/valet/server/store"
)

// History pages are keyset cursors on a version's position (last updated, row id, version): the next
// page is the versions older than the last one shown, the previous page those newer than the first. The
// cursor is opaque to clients (base64url); the _at bound of the first page travels beside it.

func historyCursor(k store.HistoryKey) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d.%d", k.LastUpdated, k.RowID, k.Version))
}

func parseHistoryCursor(name, v string) (*store.HistoryKey, *Outcome) {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	var k store.HistoryKey
	if err == nil {
		_, err = fmt.Sscanf(string(raw), "%d.%d.%d", &k.LastUpdated, &k.RowID, &k.Version)
	}
	if err != nil {
		return nil, badRequest("%s: bad page cursor %q (take cursors from a Bundle's links)", name, v)
	}
	return &k, nil
}

// historyLinks adds self, next and previous to a history Bundle; path carries _count, _at and _since.
func historyLinks(b *bundleWriter, path string, hq store.HistoryQuery, rs []store.Resource, more bool) {
	switch {
	case hq.After != nil:
		b.link("self", path+"&_after="+historyCursor(*hq.After))
	case hq.Prior != nil:
		b.link("self", path+"&_before="+historyCursor(*hq.Prior))
	default:
		b.link("self", path)
	}
	if len(rs) == 0 {
		return
	}
	// A page reached backwards always has a next page; more then means more newer versions.
	if more && hq.Prior == nil || hq.Prior != nil {
		b.link("next", path+"&_after="+historyCursor(rs[len(rs)-1].HistoryKey()))
	}
	if hq.After != nil || hq.Prior != nil && more {
		b.link("previous", path+"&_before="+historyCursor(rs[0].HistoryKey()))
	}
}
