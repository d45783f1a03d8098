package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/valet-sandbox/valet/server/store"
)

// cmdCompact is `valet compact`: an offline full compaction of the database (docs/troubleshooting.md,
// "The database grows").
func cmdCompact(args []string, stdout, stderr io.Writer) error {
	c := newCommand("compact", "valet compact [flags]",
		"Rewrite valet.db without its free space, with Valet stopped; it also lets an older database shrink from then on.")
	var data string
	dataFlag(c.fs, &data)
	if err := c.parseNone(args, stdout); err != nil {
		return err
	}
	path, err := databasePath(data)
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); err != nil {
		return usagef("there is no %s to compact (choose the data directory with --data DIR)", path)
	}
	ctx, stop := interruptible()
	defer stop()
	bar := newProgress(stderr, "Compacting")
	before, after, err := store.Compact(ctx, path, func(done, total int64) { bar.bytes(done, total) })
	bar.finish()
	switch {
	case errors.Is(err, store.ErrInUse):
		return usagef("%s is in use: stop Valet (the server or the desktop app using this data directory), then run valet compact again", path)
	case errors.Is(err, store.ErrNotDatabase):
		return usagef("%s is not a Valet database (it was left untouched)", path)
	case err != nil:
		return err
	}
	fmt.Fprintf(stdout, "Compacted %s: %s → %s\n", path, megabytes(before), megabytes(after))
	return nil
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
