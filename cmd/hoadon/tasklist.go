package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/hoadon"
)

func init() {
	register(command{
		words:   "list",
		usage:   "(ID | --company MST [--limit N])" + apiUsage,
		summary: "list an import's invoices, or with --company MST a company's imports",
		run:     runList,
	})
	register(command{words: "events", usage: "ID" + apiUsage, summary: "show an import's events (CloudEvents)", run: runEvents})
}

func runList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("list", stderr)
	api := addAPIFlags(fs)
	company := fs.String("company", "", "list the imports of this company (MST) instead of an import's invoices")
	limit := fs.Int("limit", 50, "with --company: at most this many imports, newest first (1..500)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	switch {
	case *company != "" && len(pos) > 0:
		return fmt.Errorf("%w: give an import ID or --company, not both", errUsage)
	case *company == "" && len(pos) != 1:
		return fmt.Errorf("%w: give one import ID, or --company MST", errUsage)
	case *limit < 1 || *limit > 500:
		return fmt.Errorf("%w: --limit must be 1..500", errUsage)
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	if *company != "" {
		if err := hoadon.ValidateMST(*company); err != nil {
			return fmt.Errorf("%w: --company: %s", errUsage, hoadon.ErrorMessage(err))
		}
		return explain(listImports(ctx, c, *company, *limit, api.json, stdout))
	}
	return explainID(listInvoices(ctx, c, pos[0], api.json, stdout), c, pos[0])
}

// listInvoices prints an import's invoices: the API's own JSON lines with
// --json, else a table.
func listInvoices(ctx context.Context, c *client.Client, id string, asJSON bool, w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	n := 0
	if !asJSON {
		fmt.Fprintln(tw, "FLOW\tDATE\tKEY\tSTATUS\tATTEMPTS\tSHA256\tERROR")
	}
	err := c.Invoices(ctx, id, func(inv hoadon.Invoice, raw json.RawMessage) error {
		n++
		if asJSON {
			_, err := fmt.Fprintf(w, "%s\n", raw)
			return err
		}
		_, err := fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", inv.Flow, inv.Date, inv.Key, inv.Status, inv.Attempts,
			shortSum(inv.SHA256), inv.Error)
		return err
	})
	if err != nil || asJSON {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%d invoices\n", n)
	return err
}

// listImports prints a company's imports, newest first.
func listImports(ctx context.Context, c *client.Client, company string, limit int, asJSON bool, w io.Writer) error {
	tasks, err := c.List(ctx, company, limit)
	if err != nil {
		return err
	}
	if asJSON {
		for _, t := range tasks {
			if err := writeJSON(w, t); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK ID\tSTATE\tPERIOD\tCREATED\tFINISHED")
	for _, t := range tasks {
		fmt.Fprintf(tw, "%s\t%s\t%s..%s\t%s\t%s\n", t.TaskID, t.Status, t.From, t.To, localTime(t.CreatedAt), localTime(t.FinishedAt))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%d imports of %s\n", len(tasks), company)
	return err
}

func runEvents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("events", stderr)
	api := addAPIFlags(fs)
	c, id, err := idClient(fs, api, args)
	if err != nil {
		return err
	}
	evs, err := c.Events(ctx, id)
	if err != nil {
		return explainID(err, c, id)
	}
	if api.json {
		for _, e := range evs {
			if _, err := fmt.Fprintf(stdout, "%s\n", compact(e.Raw)); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tTYPE\tSUBJECT")
	for _, e := range evs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Time.Local().Format("2006-01-02 15:04:05.000"), e.Type, e.Subject)
	}
	return tw.Flush()
}

// compact puts a JSON value on one line (it is already valid JSON).
func compact(raw json.RawMessage) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

func localTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format(time.DateTime)
}
