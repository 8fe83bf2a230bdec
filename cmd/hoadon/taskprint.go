package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// finalLine is the one line `hoadon watch` ends with; `make run` and
// scripts read it, so its shape does not change:
//
//	import <id> <state>: <n> stored, <n> unavailable, <n> failed, <n> skipped
func finalLine(st client.Status) string {
	c := st.Counts
	return fmt.Sprintf("import %s %s: %d stored, %d unavailable, %d failed, %d skipped", st.TaskID, st.Status,
		c[hoadon.StatusStored], c[hoadon.StatusUnavailable], c[hoadon.StatusFailed], c[hoadon.StatusSkipped])
}

// printStatus writes the readable summary of `hoadon status`.
func printStatus(w io.Writer, st client.Status) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "import:\t%s (%s)\n", st.TaskID, st.TaskType)
	fmt.Fprintf(tw, "company:\t%s\n", st.CompanyID)
	fmt.Fprintf(tw, "period:\t%s .. %s\n", st.From, st.To)
	fmt.Fprintf(tw, "flows:\t%s\n", flowNames(st.Flows))
	fmt.Fprintf(tw, "state:\t%s (phase %s)\n", st.Status, st.Phase)
	if st.ErrorText() != "" {
		fmt.Fprintf(tw, "error:\t%s\n", st.ErrorText())
	}
	fmt.Fprintf(tw, "invoices:\t%d discovered, %d pending: %s\n", st.Total, st.Pending, countsText(st.Counts))
	fmt.Fprintf(tw, "timings:\t%s\n", timings(st))
	if st.Files != "" {
		fmt.Fprintf(tw, "files:\t%s\n", st.Files)
	}
	if st.Manifest != "" {
		fmt.Fprintf(tw, "manifest:\t%s\n", st.Manifest)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return printPerFlow(w, st)
}

// printPerFlow writes the counts per flow as a table, flows in their
// canonical order.
func printPerFlow(w io.Writer, st client.Status) error {
	if len(st.PerFlow) == 0 {
		return nil
	}
	// Numbers align right; the flow names are padded here so they stay
	// left-aligned in the right-aligned table.
	width := len("flow")
	for f := range st.PerFlow {
		width = max(width, len(f))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\n%-*s\t", width, "flow")
	for _, s := range hoadon.AllStatuses {
		fmt.Fprintf(tw, "%s\t", s)
	}
	fmt.Fprintln(tw)
	for _, f := range hoadon.AllFlows {
		c, ok := st.PerFlow[f]
		if !ok {
			continue
		}
		fmt.Fprintf(tw, "%-*s\t", width, f)
		for _, s := range hoadon.AllStatuses {
			fmt.Fprintf(tw, "%d\t", c[s])
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// countsText lists the non-zero statuses in display order.
func countsText(c map[hoadon.InvoiceStatus]int) string {
	var parts []string
	for _, s := range hoadon.AllStatuses {
		if c[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[s], s))
		}
	}
	if len(parts) == 0 {
		return "none yet"
	}
	return strings.Join(parts, ", ")
}

func flowNames(flows []hoadon.Flow) string {
	if len(flows) == 0 {
		return "all"
	}
	s := make([]string, len(flows))
	for i, f := range flows {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// timings shows when the import was created and how long its phases took.
func timings(st client.Status) string {
	out := "created " + st.CreatedAt.Local().Format(time.DateTime)
	step := func(name string, from, to time.Time) {
		if !from.IsZero() && !to.IsZero() {
			out += fmt.Sprintf(", %s %s", name, to.Sub(from).Round(10*time.Millisecond))
		}
	}
	step("login", st.CreatedAt, st.StartedAt)
	step("discovery", st.StartedAt, st.Discovered)
	step("download", st.Discovered, st.FinishedAt)
	step("total", st.CreatedAt, st.FinishedAt)
	return out
}

// shortSum abbreviates a SHA-256 for tables.
func shortSum(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	if s == "" {
		return "-"
	}
	return s
}
