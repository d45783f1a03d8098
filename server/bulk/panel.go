package bulk

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/valet-sandbox/valet/server/store"
	"github.com/valet-sandbox/valet/server/wire"
)

// maxGroups bounds the Groups the control panel lists.
const maxGroups = 200

// List is every export job, newest first, for the control panel: running ones with their progress,
// complete ones with their files (downloaded through the control API, not the token-guarded URLs).
func (e *Exporter) List(ctx context.Context) ([]wire.Export, error) {
	jobs, err := e.cfg.Store.Exports(ctx)
	if err != nil {
		return nil, err
	}
	now := e.cfg.Now()
	out := make([]wire.Export, 0, len(jobs))
	for _, j := range jobs {
		if expired(j, now) {
			continue
		}
		x := wire.Export{ID: j.ID, ClientID: j.ClientID, Request: j.Request, Status: j.Status, Created: j.Created,
			Exported: int64(j.Exported), Files: []wire.ExportFile{}, Error: j.Error}
		if !j.Finished.IsZero() {
			x.Finished, x.Expires = &j.Finished, &j.Expires
		}
		switch j.Status {
		case store.ExportRunning:
			x.Progress, x.Exported, _ = e.Progress(j.ID)
		case store.ExportComplete:
			x.Progress = 1
			var fs files
			_ = json.Unmarshal([]byte(j.Manifest), &fs)
			for _, f := range fs.Output {
				x.Files = append(x.Files, wire.ExportFile{Type: f.Type, Count: f.Count, Download: "/api/exports/" + j.ID + "/files/" + f.File})
			}
			for _, f := range fs.Error {
				x.Files = append(x.Files, wire.ExportFile{Type: f.Type, Count: f.Count, Download: "/api/exports/" + j.ID + "/files/" + f.File, Error: true})
			}
		}
		out = append(out, x)
	}
	return out, nil
}

// Download serves a file of job id to the control panel, as an attachment (a name its manifest does not
// list is a 404); store.ErrNotFound, and nothing written, when there is no such job.
func (e *Exporter) Download(w http.ResponseWriter, r *http.Request, id, name string) error {
	j, err := e.cfg.Store.Export(r.Context(), id)
	if err == nil && expired(j, e.cfg.Now()) {
		err = store.ErrNotFound
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	e.ServeFile(w, r, j, name)
	return nil
}

// Groups lists the sandbox's Groups (the cohorts of Group-level exports) with their member counts.
func (e *Exporter) Groups(ctx context.Context) ([]wire.Group, error) {
	page, err := e.cfg.Store.Search(ctx, store.Query{Types: []string{"Group"}, Limit: maxGroups})
	if err != nil {
		return nil, err
	}
	out := make([]wire.Group, 0, len(page.Resources))
	for _, r := range page.Resources {
		var g struct {
			Name, Type string
			Member     []struct {
				Entity   struct{ Reference string }
				Inactive bool
			}
		}
		if err := json.Unmarshal(r.JSON, &g); err != nil {
			continue
		}
		x := wire.Group{ID: r.ID, Name: g.Name, Type: g.Type, Total: len(g.Member)}
		for _, m := range g.Member {
			if _, ok := e.patientID(m.Entity.Reference); ok && !m.Inactive {
				x.Members++
			}
		}
		out = append(out, x)
	}
	return out, nil
}
