package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/wire"
)

func init() {
	register(command{
		words:   "recheck",
		usage:   "--company MST [--months N] [--flows F,...]" + apiUsage,
		summary: "list the N months before this one again (stored invoices are not downloaded again); prints the import id",
		run:     runRecheck,
	})
	register(command{
		words:   "completeness",
		usage:   "--company MST [--from YYYY-MM --to YYYY-MM]" + apiUsage,
		summary: "show a company's month × flow completeness; flagged months list their missing invoices",
		run:     runCompleteness,
	})
}

func runRecheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("recheck", stderr)
	api := addAPIFlags(fs)
	company := fs.String("company", "", "the company (MST)")
	months := fs.Int("months", 2, "how many calendar months before the current one (1..12)")
	flows := fs.String("flows", "", "comma-separated flows (default all four)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := hoadon.ValidateMST(*company); err != nil {
		return fmt.Errorf("%w: --company: %s", errUsage, hoadon.ErrorMessage(err))
	}
	if *months < 1 || *months > 12 {
		return fmt.Errorf("%w: --months must be 1..12", errUsage)
	}
	body := wire.RecheckBody{Months: *months}
	if *flows != "" {
		fl, err := hoadon.ParseFlows(strings.Split(*flows, ","))
		if err != nil {
			return fmt.Errorf("%w: --flows: %s", errUsage, hoadon.ErrorMessage(err))
		}
		body.Flows = fl
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	out, err := c.Recheck(ctx, *company, body)
	if err != nil {
		return explain(err)
	}
	if api.json {
		return writeJSON(stdout, out)
	}
	_, err = fmt.Fprintln(stdout, out.TaskID)
	fmt.Fprintf(stderr, "recheck of %s %s..%s started (watch it with: hoadon watch %s)\n", *company, out.From, out.To, out.TaskID)
	return err
}

func runCompleteness(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("completeness", stderr)
	api := addAPIFlags(fs)
	company := fs.String("company", "", "the company (MST)")
	from := fs.String("from", "", "first month, YYYY-MM (default: 11 months ago)")
	to := fs.String("to", "", "last month, YYYY-MM (default: this month)")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	if err := hoadon.ValidateMST(*company); err != nil {
		return fmt.Errorf("%w: --company: %s", errUsage, hoadon.ErrorMessage(err))
	}
	if (*from == "") != (*to == "") {
		return fmt.Errorf("%w: give both --from and --to, or neither", errUsage)
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	m, err := c.Completeness(ctx, *company, *from, *to)
	if err != nil {
		return explain(err)
	}
	if api.json {
		return writeJSON(stdout, m)
	}
	return printCompleteness(stdout, m)
}

// printCompleteness prints the matrix: one line per month and flow that
// holds anything, then the missing invoices of flagged cells.
func printCompleteness(w io.Writer, m wire.Completeness) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MONTH\tFLOW\tLISTED\tPORTAL\tDISCOVERED\tSTORED\tUNAVAILABLE\tFAILED\tCHANGES\tVERIFIED")
	shown := 0
	for _, c := range m.Cells {
		if c.Listed == nil && c.Discovered == 0 {
			continue
		}
		shown++
		verified, flag := "never", ""
		if !c.VerifiedAt.IsZero() {
			verified = c.VerifiedAt.In(hoadon.VietnamZone).Format("2006-01-02 15:04")
		}
		if c.Flagged {
			flag = "  FLAGGED"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s%s\n", c.Month, c.Flow, optInt(c.Listed), optInt(c.PortalTotal),
			c.Discovered, c.Stored, c.Unavailable, c.Failed, c.StatusChanges, verified, flag)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s %s..%s: %d month-flows with invoices, %d flagged\n", m.Company, m.From, m.To, shown, m.Flagged)
	for _, c := range m.Cells {
		for _, x := range c.Missing {
			fmt.Fprintf(w, "  missing %s %s %s %s %s\n", c.Month, c.Flow, x.Key, x.Status, x.Error)
		}
	}
	return nil
}

func optInt(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}
