package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/gcp"
)

// The apikey commands work on the project's Firestore directly (with the
// operator's Google credentials, or FIRESTORE_EMULATOR_HOST locally): keys
// are what stands between the API and everyone else, so they are not
// managed through the API itself.
func init() {
	register(command{words: "apikey create", usage: "--name NAME [--json]", summary: "create a task API key (shown once)", run: runAPIKeyCreate})
	register(command{words: "apikey revoke", usage: "ID|KEY", summary: "revoke a task API key", run: runAPIKeyRevoke})
	register(command{words: "apikey link", usage: "[--ttl 10m]", summary: "print a one-time console sign-in link for HOADON_API_KEY", run: runAPIKeyLink})
	register(command{words: "apikey list", usage: "[--json]", summary: "list task API keys (never the keys themselves)", run: runAPIKeyList})
}

func keyStore(ctx context.Context) (*auth.Keys, func(), error) {
	project := os.Getenv("HOADON_PROJECT")
	if project == "" {
		project = os.Getenv("GOOGLE_CLOUD_PROJECT")
	}
	if project == "" {
		return nil, nil, fmt.Errorf("%w: set HOADON_PROJECT to the project whose keys to manage", errUsage)
	}
	fs, err := gcp.Firestore(ctx, project)
	if err != nil {
		return nil, nil, err
	}
	return auth.NewKeys(fs), func() { fs.Close() }, nil
}

func runAPIKeyCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("apikey create", stderr)
	name := fs.String("name", "", "what the key is for (required)")
	asJSON := fs.Bool("json", false, "print {\"key\", \"id\", \"name\"}")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: --name is required and nothing else", errUsage)
	}
	keys, done, err := keyStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	key, rec, err := keys.Create(ctx, *name)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]string{"key": key, "id": rec.ID, "name": rec.Name})
	}
	fmt.Fprintln(stdout, key)
	fmt.Fprintf(stderr, "created API key %s (%s); it is shown only now: send it as X-API-Key or set HOADON_API_KEY\n", rec.ID, rec.Name)
	return nil
}

func runAPIKeyRevoke(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("apikey revoke", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give one key id (see hoadon apikey list) or the key", errUsage)
	}
	keys, done, err := keyStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	if err := keys.Revoke(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintln(stderr, "revoked; instances refuse it within 30 s")
	return nil
}

func runAPIKeyList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("apikey list", stderr)
	asJSON := fs.Bool("json", false, "one JSON object per key")
	if err := fs.Parse(args); err != nil {
		return err
	}
	keys, done, err := keyStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	list, err := keys.List(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, k := range list {
			enc.Encode(k)
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKEY\tCREATED\tREVOKED")
	for _, k := range list {
		revoked := "-"
		if !k.RevokedAt.IsZero() {
			revoked = k.RevokedAt.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\n", k.ID, k.Name, k.Hint, k.CreatedAt.Format("2006-01-02 15:04"), revoked)
	}
	return tw.Flush()
}

// runAPIKeyLink prints a console link that signs in once as HOADON_API_KEY,
// so the key need not be typed (make run prints one).
func runAPIKeyLink(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("apikey link", stderr)
	ttl := fs.Duration("ttl", 10*time.Minute, "how long the link may be used (at most 1h)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	key := os.Getenv(client.EnvAPIKey)
	if fs.NArg() > 0 || key == "" {
		return fmt.Errorf("%w: set %s to the key to sign in as; no arguments", errUsage, client.EnvAPIKey)
	}
	keys, done, err := keyStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	token, err := keys.CreateSignInLink(ctx, key, *ttl)
	if err != nil {
		return err
	}
	base := strings.TrimRight(client.BaseURLFromEnv(os.Getenv), "/")
	fmt.Fprintf(stdout, "%s/ui/signin?link=%s\n", base, url.QueryEscape(token))
	fmt.Fprintf(stderr, "the link signs in once, within %s\n", *ttl)
	return nil
}
