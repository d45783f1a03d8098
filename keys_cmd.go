package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/valet-sandbox/valet/server/auth"
	"github.com/valet-sandbox/valet/server/keys"
)

const keysUsage = "use 'valet keys rotate' or 'valet keys list'"

// cmdKeys is `valet keys rotate|list [--data DIR]`: the same rotation as POST /api/keys/rotate, on the
// database a (running or stopped) sandbox uses. A running sandbox picks the new keys up within 30 s.
func cmdKeys(args []string, stdout io.Writer) error {
	c := newCommand("keys", "valet keys rotate|list [flags]",
		"Rotate the token signing keys, keeping the old ones published until the last token they signed expires, or list the published keys.")
	var data string
	dataFlag(c.fs, &data)
	rest, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return usagef("keys needs a subcommand: %s", keysUsage)
	}
	sub := rest[0]
	if sub != "rotate" && sub != "list" {
		return usagef("unknown keys subcommand %q: %s", sub, keysUsage)
	}
	if len(rest) > 1 {
		return c.unexpected(rest[1])
	}
	ctx := context.Background()
	db, err := openStore(ctx, data)
	if err != nil {
		return err
	}
	defer db.Close()
	kr, err := keys.Open(ctx, db, nil)
	if err != nil {
		return err
	}
	if sub == "list" {
		printKeys(stdout, kr.List())
		return nil
	}
	keep, err := auth.KeyRetention(ctx, db)
	if err != nil {
		return err
	}
	before := map[string]bool{}
	for _, k := range kr.List() {
		before[k.KID] = true
	}
	if err := kr.Rotate(ctx, keep); err != nil {
		return err
	}
	for _, k := range kr.List() {
		if !before[k.KID] {
			fmt.Fprintf(stdout, "new %s key %s signs %s from now on\n", k.Alg, k.KID, purpose(k.Alg))
		}
	}
	for _, k := range kr.List() {
		if !k.Active && k.PublishUntil != nil {
			fmt.Fprintf(stdout, "old %s key %s stays published until %s (when the last token it signed expires)\n",
				k.Alg, k.KID, k.PublishUntil.UTC().Format(time.RFC3339))
		}
	}
	fmt.Fprintln(stdout, "A running Valet picks up the new keys within 30 seconds.")
	return nil
}

func purpose(alg string) string {
	if alg == keys.RS256 {
		return "id_tokens"
	}
	return "access tokens"
}

func printKeys(w io.Writer, list []keys.Info) {
	fmt.Fprintf(w, "%-24s %-6s %-8s %s\n", "KID", "ALG", "STATUS", "PUBLISHED UNTIL")
	for _, k := range list {
		status, until := "active", "-"
		if !k.Active {
			status = "retired"
		}
		if k.PublishUntil != nil {
			until = k.PublishUntil.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%-24s %-6s %-8s %s\n", k.KID, k.Alg, status, until)
	}
}
