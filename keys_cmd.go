package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/valet-sandbox/valet/server/auth"
	"github.com/valet-sandbox/valet/server/keys"
)

const keysUsage = "use 'valet keys rotate [--data DIR]' or 'valet keys list [--data DIR]'"

// cmdKeys is `valet keys rotate|list [--data DIR]`: the same rotation as POST /api/keys/rotate, on the
// database a (running or stopped) sandbox uses. A running sandbox picks the new keys up within 30 s.
func cmdKeys(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usagef("keys needs a subcommand: %s", keysUsage)
	}
	sub := args[0]
	if sub != "rotate" && sub != "list" {
		return usagef("unknown keys subcommand %q: %s", sub, keysUsage)
	}
	fs := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	data := fs.String("data", "", "")
	if err := fs.Parse(args[1:]); err != nil {
		return usagef("%v: %s", err, keysUsage)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q: %s", fs.Arg(0), keysUsage)
	}
	ctx := context.Background()
	db, err := openStore(ctx, *data)
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
