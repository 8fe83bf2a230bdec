package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// The commands that talk to the task API (cmd/server or the deployed api
// function). Each takes --api-url (default HOADON_API_URL, else
// HOADON_FUNCTIONS_URL, else http://127.0.0.1:8080) and --json.

func init() {
	register(command{
		words: "start",
		usage: "--mst MST (--password-file FILE | --password-env VAR) [--username U] --from DATE --to DATE " +
			"[--flows LIST] [--force] [--company-name N] [--idempotency-key K]" + apiUsage,
		summary: "start an import through the task API; prints its id",
		run:     runStart,
	})
	register(command{words: "status", usage: "ID" + apiUsage, summary: "show an import's state, counts per status and flow, error and files", run: runStatus})
	register(command{words: "cancel", usage: "ID" + apiUsage, summary: "cancel a running import", run: runCancel})
}

// apiUsage is the tail of every API command's usage line.
const apiUsage = " [--api-url URL] [--json]"

// apiFlags are the flags every API command shares.
type apiFlags struct {
	url  string
	json bool
}

func addAPIFlags(fs *flag.FlagSet) *apiFlags {
	f := &apiFlags{}
	fs.StringVar(&f.url, "api-url", "", "task API base URL (default $"+client.EnvAPIURL+", else $"+client.EnvFunctionsURL+", else "+client.DefaultURL+")")
	fs.BoolVar(&f.json, "json", false, "machine-readable JSON output")
	return f
}

// client builds the API client; a malformed URL is a usage error.
func (f *apiFlags) client() (*client.Client, error) {
	c, err := client.FromEnv(f.url)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", errUsage, hoadon.ErrorMessage(err))
	}
	return c, nil
}

// parseArgs parses flags placed anywhere among the positional arguments
// (`hoadon status ID --json` as well as `hoadon status --json ID`) and
// returns the positional ones.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
}

// oneID parses a command line of the form ID [flags].
func oneID(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", fmt.Errorf("%w: want exactly one import ID, got %d arguments", errUsage, len(pos))
	}
	return pos[0], nil
}

// idClient parses a one-ID command's arguments and builds its API client.
func idClient(fs *flag.FlagSet, api *apiFlags, args []string) (*client.Client, string, error) {
	id, err := oneID(fs, args)
	if err != nil {
		return nil, "", err
	}
	c, err := api.client()
	return c, id, err
}

// explain adds what to do to an unreachable server's error.
func explain(err error) error {
	var u *client.UnreachableError
	if errors.As(err, &u) {
		return fmt.Errorf("%w\nhint: start the local system with `make run` (or `go run ./cmd/server`), or point --api-url / $%s at the API", err, client.EnvAPIURL)
	}
	return err
}

// explainID is explain for the commands about one import: an unknown id
// gets a sentence that names it whatever the API's own wording.
func explainID(err error, c *client.Client, id string) error {
	var a *client.APIError
	if errors.As(err, &a) && a.Code == hoadon.CodeNotFound {
		return fmt.Errorf("import %s not found at %s (the API said: %w)", id, c.BaseURL(), err)
	}
	return explain(err)
}

// writeJSON prints v as one line of JSON.
func writeJSON(w io.Writer, v any) error {
	return json.NewEncoder(w).Encode(v)
}

func runStart(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("start", stderr)
	api := addAPIFlags(fs)
	var req client.StartRequest
	var pw pullFlags
	var from, to, flows string
	fs.StringVar(&req.CompanyID, "mst", "", "the company's tax code (MST)")
	fs.StringVar(&req.Username, "username", "", "portal login (default: the MST)")
	fs.StringVar(&pw.passwordFile, "password-file", "", "file holding the portal password (first line)")
	fs.StringVar(&pw.passwordEnv, "password-env", "", "name of the environment variable holding the portal password")
	fs.StringVar(&from, "from", "", "first day, YYYY-MM-DD (or YYYY-MM for a whole month)")
	fs.StringVar(&to, "to", "", "last day, YYYY-MM-DD (or YYYY-MM for a whole month)")
	fs.StringVar(&flows, "flows", "", "comma-separated flows (default all: "+flowList()+")")
	fs.BoolVar(&req.Force, "force", false, "download again invoices an earlier import stored")
	fs.StringVar(&req.CompanyName, "company-name", "", "the company's name, kept with the import")
	fs.StringVar(&req.IdempotencyKey, "idempotency-key", "", "a repeated start with this key returns the first import")
	fs.StringVar(&req.TaskType, "task-type", client.DefaultTaskType, "task type")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q (the password is never given on the command line)", errUsage, pos[0])
	}
	if err := startParams(&req, from, to, flows); err != nil {
		return err
	}
	if req.Password, err = pw.password(); err != nil {
		return err
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	resp, err := c.Start(ctx, req)
	if err != nil {
		return explain(err)
	}
	if !resp.Created {
		fmt.Fprintf(stderr, "hoadon start: %s\n", resp.Message)
	}
	if api.json {
		return writeJSON(stdout, map[string]string{"id": resp.TaskID})
	}
	_, err = fmt.Fprintln(stdout, resp.TaskID)
	return err
}

// period reads --from and --to (YYYY-MM-DD, or YYYY-MM for a whole month)
// as the first and last day.
func period(from, to string) (string, string, error) {
	f, err := parseDay(from, false)
	if err != nil {
		return "", "", fmt.Errorf("%w: --from: %s", errUsage, hoadon.ErrorMessage(err))
	}
	t, err := parseDay(to, true)
	if err != nil {
		return "", "", fmt.Errorf("%w: --to: %s", errUsage, hoadon.ErrorMessage(err))
	}
	return f.String(), t.String(), nil
}

// startParams checks and fills the period, flows and MST of a start.
func startParams(req *client.StartRequest, from, to, flows string) error {
	if req.CompanyID == "" || from == "" || to == "" {
		return fmt.Errorf("%w: --mst, --from and --to are required", errUsage)
	}
	if err := hoadon.ValidateMST(req.CompanyID); err != nil {
		return fmt.Errorf("%w: --mst: %s", errUsage, hoadon.ErrorMessage(err))
	}
	var err error
	if req.From, req.To, err = period(from, to); err != nil {
		return err
	}
	if flows != "" {
		parsed, err := hoadon.ParseFlows(strings.Split(flows, ","))
		if err != nil {
			return fmt.Errorf("%w: --flows: %s", errUsage, hoadon.ErrorMessage(err))
		}
		req.Flows = parsed
	}
	return nil
}

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status", stderr)
	api := addAPIFlags(fs)
	c, id, err := idClient(fs, api, args)
	if err != nil {
		return err
	}
	st, err := c.Status(ctx, id)
	if err != nil {
		return explainID(err, c, id)
	}
	if api.json {
		return writeJSON(stdout, st)
	}
	return printStatus(stdout, st)
}

func runCancel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("cancel", stderr)
	api := addAPIFlags(fs)
	c, id, err := idClient(fs, api, args)
	if err != nil {
		return err
	}
	st, err := c.Cancel(ctx, id)
	if err != nil {
		return explainID(err, c, id)
	}
	if api.json {
		if err := writeJSON(stdout, st); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(stdout, finalLine(st))
	}
	if st.Status != hoadon.ImportCancelled {
		return fmt.Errorf("import %s had already ended %s; nothing was cancelled", id, st.Status)
	}
	return nil
}
