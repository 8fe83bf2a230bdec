package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/store"
)

// The tenant commands work on Firestore directly, as the apikey commands do.
func init() {
	register(command{words: "tenant create", usage: "ID [--name NAME] [--json]", summary: "create a tenant (an organisation owning imports, keys and files)", run: runTenantCreate})
	register(command{words: "tenant list", usage: "[--json]", summary: "list tenants", run: runTenantList})
}

func runTenantCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tenant create", stderr)
	name := fs.String("name", "", "a readable name (default: the id)")
	asJSON := fs.Bool("json", false, "print the tenant as JSON")
	id, rest := splitFirstArg(args)
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if id == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: give one tenant id", errUsage)
	}
	t, err := hoadon.ParseTenant(id)
	if err != nil {
		return fmt.Errorf("%w: %s", errUsage, hoadon.ErrorMessage(err))
	}
	fsc, err := projectFirestore(ctx)
	if err != nil {
		return err
	}
	defer fsc.Close()
	info, err := store.New(fsc).CreateTenant(ctx, t, *name)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(info)
	}
	fmt.Fprintf(stdout, "created tenant %s (%s); give it keys with hoadon apikey create --tenant %s --role admin|operator|viewer\n", info.ID, info.Name, info.ID)
	return nil
}

func runTenantList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tenant list", stderr)
	asJSON := fs.Bool("json", false, "one JSON object per tenant")
	if err := fs.Parse(args); err != nil {
		return err
	}
	fsc, err := projectFirestore(ctx)
	if err != nil {
		return err
	}
	defer fsc.Close()
	list, err := store.New(fsc).Tenants(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, t := range list {
			enc.Encode(t)
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TENANT\tNAME\tCREATED")
	for _, t := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", t.ID, t.Name, t.CreatedAt.Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

// splitFirstArg takes a leading positional argument off args, so that
// "tenant create acme --name X" parses its flags after the id.
func splitFirstArg(args []string) (string, []string) {
	if len(args) == 0 || len(args[0]) > 0 && args[0][0] == '-' {
		return "", args
	}
	return args[0], args[1:]
}
