package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/valet-sandbox/valet/server/population"
	"github.com/valet-sandbox/valet/server/scenario"
)

// cmdScenario is `valet scenario check|run FILE`.
func cmdScenario(args []string, stdout, stderr io.Writer) error {
	c := newCommand("scenario", "valet scenario check FILE | valet scenario run [flags] FILE",
		"Check a scenario file (docs/scenarios.md), or run it: apply its data, clock, users, apps, simulations and launch to the sandbox "+
			"and print the launch URL and the credentials the app needs.")
	if len(args) == 0 {
		return c.usagef("give check or run and a scenario file: run '%s'", c.helpCmd())
	}
	switch args[0] {
	case "check":
		return cmdScenarioCheck(args[1:], stdout)
	case "run":
		return cmdScenarioRun(args[1:], stdout, stderr)
	}
	if _, err := c.parse(args, stdout); err != nil {
		return err
	}
	return c.usagef("unknown subcommand %q: give check or run (run '%s')", args[0], c.helpCmd())
}

func cmdScenarioCheck(args []string, stdout io.Writer) error {
	c := newCommand("scenario check", "valet scenario check FILE...",
		"Check scenario files without applying them: unknown keys and bad values are reported as FILE:LINE:COLUMN with what is allowed. "+
			"Whether their patients and users exist, 'valet scenario run' tells.")
	files, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return c.usagef("give a scenario file, such as scenarios/token-expires-mid-session.yaml")
	}
	var errs []error
	for _, f := range files {
		s, err := scenario.ReadFile(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(stdout, "%s: scenario %s is valid\n", f, s.Name)
	}
	return scenarioErrors(errs...)
}

// scenarioErrors reports the problems of scenario files as a usage error (exit code 2), one per line.
func scenarioErrors(errs ...error) error {
	if len(errs) == 0 {
		return nil
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	return usagef("scenario:\n%s", strings.Join(msgs, "\n"))
}

func cmdScenarioRun(args []string, stdout, stderr io.Writer) error {
	c := newCommand("scenario run", "valet scenario run [flags] FILE",
		"Apply a scenario to the sandbox: to a running Valet through its control API (--url, or the one on "+defaultAddr+" when it answers), "+
			"else to the data directory. Prints the launch URL and the client credentials the app needs.")
	var data, base string
	dataFlag(c.fs, &data)
	c.fs.StringVar(&base, "url", "", "apply to the Valet running at `URL` (such as http://127.0.0.1:8765) through its control API")
	files, err := c.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return c.usagef("give one scenario file, such as scenarios/token-expires-mid-session.yaml")
	}
	if base != "" && data != "" {
		return c.usagef("give --url or --data, not both: a running Valet owns its data directory")
	}
	s, err := scenario.ReadFile(files[0])
	if err != nil {
		return scenarioErrors(err)
	}
	ctx, stop := interruptible()
	defer stop()
	if base == "" {
		base = runningSandbox(ctx, data)
	}
	var res *scenario.Result
	if base != "" {
		u, perr := url.Parse(base)
		if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c.usagef("--url %q is not a URL like http://127.0.0.1:8765", base)
		}
		res, err = s.Apply(ctx, scenario.API{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Timeout: 5 * time.Minute},
			Key: os.Getenv(apiKeyEnv)})
	} else {
		err = withOffline(data, func(ctx context.Context, o *offline) error {
			if s.Data == nil {
				if err := seedDefault(ctx, o, stderr); err != nil {
					return err
				}
			}
			res, err = s.Apply(ctx, inProcess(o.srv.Handler()))
			return err
		})
	}
	var se scenario.Errors
	if errors.As(err, &se) {
		return scenarioErrors(se)
	}
	if err != nil {
		return fmt.Errorf("scenario %s: %w", s.Name, err)
	}
	printScenarioResult(stdout, res, base == "")
	return nil
}

// apiKeyEnv names the environment variable that holds a shared sandbox's API key for --url.
const apiKeyEnv = "VALET_API_KEY"

// runningSandbox is the origin of a Valet answering on the default address, when it serves dataDir (or
// any, when dataDir is ""); "" when none does. A scenario for the data directory of a running sandbox
// goes through it: writing behind its back would leave what it holds in memory (its simulations, its
// client cache) out of date.
func runningSandbox(ctx context.Context, dataDir string) string {
	base := "http://" + defaultAddr
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/status", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var st struct {
		DataFile string `json:"data_file"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&st) != nil || st.DataFile == "" {
		return ""
	}
	if dataDir != "" {
		want, err := databasePath(dataDir)
		if err != nil {
			return ""
		}
		a, _ := filepath.Abs(want)
		b, _ := filepath.Abs(st.DataFile)
		if a != b {
			return ""
		}
	}
	return base
}

// inProcess is the control API of a sandbox opened on a data directory, called without a listener: the
// same handler `valet serve` serves, so the scenario goes through the same checks.
func inProcess(h http.Handler) scenario.API { return scenario.InProcess("http://"+defaultAddr, h) }

// seedDefault loads the default population into a new sandbox, as `valet serve` does at its first start,
// so that a scenario without data: finds the patients a new sandbox has.
func seedDefault(ctx context.Context, o *offline, stderr io.Writer) error {
	done := make(chan error, 1)
	started, err := o.srv.SeedInBackground(ctx, func(_ population.GenerateResult, err error) { done <- err })
	if err != nil || !started {
		return err
	}
	fmt.Fprintln(stderr, "New sandbox: loading the default population first.")
	return <-done
}

func printScenarioResult(w io.Writer, res *scenario.Result, offline bool) {
	fmt.Fprintf(w, "Scenario %s applied to %s\n", res.Scenario, res.BaseURL)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  FHIR base (iss, aud):\t%s\n", res.FHIRBase)
	for _, c := range res.Clients {
		fmt.Fprintf(tw, "  client_id:\t%s (%s, %s)\n", c.ClientID, c.Type, c.AuthMethod)
		if c.Secret != "" {
			fmt.Fprintf(tw, "  client_secret:\t%s\n", c.Secret)
		}
		for _, u := range c.RedirectURIs {
			fmt.Fprintf(tw, "  redirect_uri:\t%s\n", u)
		}
	}
	if res.ClockOffsetSeconds != 0 {
		fmt.Fprintf(tw, "  clock offset:\t%+d s\n", res.ClockOffsetSeconds)
	}
	for _, s := range res.Simulations {
		where := "global"
		switch {
		case s.Launch != "":
			where = "launch"
		case s.ClientID != "":
			where = s.ClientID
		}
		fmt.Fprintf(tw, "  simulation:\t%s (%s, %s)\n", s.Kind, where, whenText(s.When, s.N))
	}
	if res.Scope != "" {
		fmt.Fprintf(tw, "  scope to request:\t%s\n", res.Scope)
	}
	switch {
	case res.Launch != nil:
		fmt.Fprintf(tw, "  Launch URL:\t%s\n", res.Launch.URL)
	case res.LaunchType == scenario.LaunchStandalone:
		fmt.Fprintf(tw, "  Launch:\tstandalone: start %s from its own page with the FHIR base above\n", res.LaunchClient)
	}
	tw.Flush()
	if offline {
		fmt.Fprintf(w, "Written to the data directory; start it with 'valet serve' on %s (the launch is valid for a while and used once).\n", defaultAddr)
	}
}

func whenText(when any, n int) string {
	if fmt.Sprint(when) == "nth" {
		return fmt.Sprintf("request %d only", n)
	}
	return fmt.Sprint(when)
}
