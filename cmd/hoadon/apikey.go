package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/auth"
	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// The apikey commands work on the project's Firestore directly (with the
// operator's Google credentials, or FIRESTORE_EMULATOR_HOST locally): keys
// are what stands between the API and everyone else, so they are not
// managed through the API itself.
func init() {
	register(command{words: "apikey create", usage: "--name NAME [--tenant T] [--role admin|operator|viewer] [--companies MST,...] [--json]", summary: "create a task API key of a tenant (shown once)", run: runAPIKeyCreate})
	register(command{words: "apikey revoke", usage: "ID|KEY", summary: "revoke a task API key", run: runAPIKeyRevoke})
	register(command{words: "apikey link", usage: "[--ttl 10m]", summary: "print a one-time console sign-in link for HOADON_API_KEY", run: runAPIKeyLink})
	register(command{words: "apikey list", usage: "[--tenant T] [--json]", summary: "list task API keys (never the keys themselves)", run: runAPIKeyList})
}

// projectFirestore opens the Firestore of HOADON_PROJECT (or
// GOOGLE_CLOUD_PROJECT) with the operator's credentials.
func projectFirestore(ctx context.Context) (*firestore.Client, error) {
	project := os.Getenv("HOADON_PROJECT")
	if project == "" {
		project = os.Getenv("GOOGLE_CLOUD_PROJECT")
	}
	if project == "" {
		return nil, fmt.Errorf("%w: set HOADON_PROJECT to the project to manage", errUsage)
	}
	return gcp.Firestore(ctx, project)
}

func keyStore(ctx context.Context) (*auth.Keys, *store.Store, func(), error) {
	fs, err := projectFirestore(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	return auth.NewKeys(fs), store.New(fs), func() { fs.Close() }, nil
}

func runAPIKeyCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("apikey create", stderr)
	name := fs.String("name", "", "what the key is for (required)")
	tenant := fs.String("tenant", string(hoadon.DefaultTenant), "the tenant the key belongs to (hoadon tenant create)")
	role := fs.String("role", string(hoadon.RoleAdmin), "admin, operator or viewer")
	companies := fs.String("companies", "", "comma-separated tax codes the key may reach (default: every company of the tenant)")
	asJSON := fs.Bool("json", false, "print {\"key\", \"id\", \"name\", \"tenant\", \"role\"}")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: --name is required and nothing else", errUsage)
	}
	acc, err := auth.ParseAccess(*tenant, *role, strings.Split(*companies, ","))
	if err != nil {
		return fmt.Errorf("%w: %s", errUsage, hoadon.ErrorMessage(err))
	}
	keys, st, done, err := keyStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	if ok, err := st.TenantExists(ctx, acc.Tenant); err != nil || !ok {
		return errors.Join(err, fmt.Errorf("no tenant %s: create it first (hoadon tenant create %s)", acc.Tenant, acc.Tenant))
	}
	key, rec, err := keys.Create(ctx, *name, acc)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]string{"key": key, "id": rec.ID, "name": rec.Name,
			"tenant": string(rec.Tenant), "role": string(rec.Role)})
	}
	fmt.Fprintln(stdout, key)
	fmt.Fprintf(stderr, "created API key %s (%s) of tenant %s, role %s; it is shown only now: send it as X-API-Key or set HOADON_API_KEY\n",
		rec.ID, rec.Name, rec.Tenant, rec.Role)
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
	keys, _, done, err := keyStore(ctx)
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
	tenant := fs.String("tenant", "", "only this tenant's keys")
	if err := fs.Parse(args); err != nil {
		return err
	}
	keys, _, done, err := keyStore(ctx)
	if err != nil {
		return err
	}
	defer done()
	list, err := keys.List(ctx, hoadon.Tenant(*tenant))
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
	fmt.Fprintln(tw, "ID\tNAME\tKEY\tTENANT\tROLE\tCOMPANIES\tCREATED\tREVOKED")
	for _, k := range list {
		revoked := "-"
		if !k.RevokedAt.IsZero() {
			revoked = k.RevokedAt.Format("2006-01-02 15:04")
		}
		companies := strings.Join(k.Companies, ",")
		if companies == "" {
			companies = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Hint, k.Tenant, k.Role, companies,
			k.CreatedAt.Format("2006-01-02 15:04"), revoked)
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
	keys, _, done, err := keyStore(ctx)
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
