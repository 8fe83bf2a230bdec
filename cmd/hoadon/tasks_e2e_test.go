package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/importer"
)

const (
	cliFrom = "2026-09-01"
	cliTo   = "2026-10-31"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// truthCounts is what an import of the period must end with.
func truthCounts(t *testing.T, sim *gdtsim.Server, mst string) (truth []gdtsim.Truth, stored, unavailable int) {
	t.Helper()
	from, _ := time.Parse(time.DateOnly, cliFrom)
	to, _ := time.Parse(time.DateOnly, cliTo)
	truth = sim.Invoices(mst, from, to)
	for _, tr := range truth {
		if tr.HasXML {
			stored++
		} else {
			unavailable++
		}
	}
	if len(truth) == 0 || stored == 0 || unavailable == 0 {
		t.Fatalf("simulator period holds %d invoices, %d with XML: the test needs both kinds", len(truth), stored)
	}
	return truth, stored, unavailable
}

// Ensure start, watch, status, list and events carry a whole import: the
// final line of watch and every listed invoice equal the simulator's ground
// truth.
func TestImportCommands(t *testing.T) {
	h := system(t)
	sim := h.Stack.GDT()
	co := sim.Companies()[0]
	truth, stored, unavailable := truthCounts(t, sim, co.MST)

	out := mustSucceed(t, "start", "--mst", co.MST, "--password-file", passwordFile(t, co.Password),
		"--from", cliFrom, "--to", cliTo, "--company-name", "CLI test")
	id := strings.TrimSpace(out)
	if !idPattern.MatchString(id) || strings.Count(out, "\n") != 1 {
		t.Fatalf("start printed %q; want the task id alone on one line", out)
	}

	code, out, errs := cli(t, "watch", id, "--interval", "100ms")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	want := fmt.Sprintf("import %s completed: %d stored, %d unavailable, 0 failed, 0 skipped", id, stored, unavailable)
	if code != 0 || lines[len(lines)-1] != want {
		t.Fatalf("watch = exit %d, last line %q; want exit 0 and %q\nstderr: %s", code, lines[len(lines)-1], want, errs)
	}
	if len(lines) < 2 || !strings.HasPrefix(lines[len(lines)-2], "[####################] 100%") ||
		!strings.Contains(lines[len(lines)-2], fmt.Sprintf("discovered %d", len(truth))) {
		t.Errorf("watch progress lines end with %q; want a full bar with discovered %d", lines[max(0, len(lines)-2)], len(truth))
	}
	t.Logf("hoadon watch %s:\n%s", id, out)
	if strings.Contains(out, "\r") {
		t.Errorf("watch redrew lines with \\r on a non-terminal")
	}

	checkStatus(t, id, len(truth), stored, unavailable)
	checkInvoiceList(t, id, truth)
	checkEvents(t, id)
	checkReverify(t, co.MST, stored)

	out = mustSucceed(t, "list", "--company", co.MST, "--json")
	if !strings.Contains(out, `"task_id":"`+id+`"`) {
		t.Errorf("list --company %s --json does not name import %s:\n%s", co.MST, id, out)
	}
	if out = mustSucceed(t, "list", "--company", co.MST); !strings.Contains(out, id) || !strings.Contains(out, "completed") {
		t.Errorf("list --company table:\n%s", out)
	}
}

func checkStatus(t *testing.T, id string, total, stored, unavailable int) {
	t.Helper()
	out := mustSucceed(t, "status", id)
	t.Logf("hoadon status %s:\n%s", id, out)
	for _, s := range []string{"state:", "completed (phase done)", fmt.Sprintf("%d discovered, 0 pending", total),
		fmt.Sprintf("%d stored, %d unavailable", stored, unavailable), "ban_ra_dien_tu", "manifest:"} {
		if !strings.Contains(out, s) {
			t.Errorf("status does not show %q:\n%s", s, out)
		}
	}
	var st struct {
		Status string         `json:"status"`
		Total  int            `json:"total"`
		Counts map[string]int `json:"counts"`
	}
	out = mustSucceed(t, "status", "--json", id)
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Status != "completed" || st.Total != total || st.Counts["stored"] != stored {
		t.Errorf("status --json = %v %+v; want completed with %d invoices, %d stored", err, st, total, stored)
	}
}

// checkInvoiceList: one JSON line per invoice, each matching a ground-truth
// invoice; stored ones carry the XML's object name and its SHA-256.
func checkInvoiceList(t *testing.T, id string, truth []gdtsim.Truth) {
	t.Helper()
	want := map[string]gdtsim.Truth{}
	for _, tr := range truth {
		want[fmt.Sprintf("%s|%d|%s|%d|%s", tr.NBMST, tr.KHMSHDon, tr.KHHDon, tr.SHDon, tr.Flow)] = tr
	}
	out := mustSucceed(t, "list", id, "--json")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != len(truth) {
		t.Fatalf("list --json printed %d lines; want %d (one per invoice)", len(lines), len(truth))
	}
	for _, line := range lines {
		var inv struct {
			Key struct {
				NBMST    string `json:"nbmst"`
				KHMSHDon int    `json:"khmshdon"`
				KHHDon   string `json:"khhdon"`
				SHDon    int64  `json:"shdon"`
			} `json:"key"`
			Flow    string            `json:"flow"`
			Status  string            `json:"status"`
			Objects map[string]string `json:"objects"`
			SHA256  string            `json:"sha256"`
		}
		if err := json.Unmarshal([]byte(line), &inv); err != nil {
			t.Fatalf("list --json line %q: %v", line, err)
		}
		k := fmt.Sprintf("%s|%d|%s|%d|%s", inv.Key.NBMST, inv.Key.KHMSHDon, inv.Key.KHHDon, inv.Key.SHDon, inv.Flow)
		tr, ok := want[k]
		delete(want, k)
		switch {
		case !ok:
			t.Errorf("listed invoice %s is not in the ground truth (or listed twice)", k)
		case tr.HasXML && (inv.Status != "stored" || inv.SHA256 != tr.XMLSHA256 || !strings.HasSuffix(inv.Objects["xml"], ".xml")):
			t.Errorf("%s: status %s sha256 %q objects %v; want stored with sha256 %s", k, inv.Status, inv.SHA256, inv.Objects, tr.XMLSHA256)
		case !tr.HasXML && (inv.Status != "unavailable" || inv.SHA256 != ""):
			t.Errorf("%s: status %s sha256 %q; want unavailable without a sum", k, inv.Status, inv.SHA256)
		}
	}
	out = mustSucceed(t, "list", id)
	if !strings.HasPrefix(out, "FLOW") || !strings.HasSuffix(out, fmt.Sprintf("\n%d invoices\n", len(truth))) {
		t.Errorf("list table:\n%s", out)
	}
}

func checkEvents(t *testing.T, id string) {
	t.Helper()
	out := mustSucceed(t, "events", id)
	for _, typ := range []string{"vn.hoadon.import.started", "vn.hoadon.discovery.completed", "vn.hoadon.invoice.stored", "vn.hoadon.import.completed"} {
		if !strings.Contains(out, typ) {
			t.Errorf("events do not show %s:\n%s", typ, out)
		}
	}
	out = mustSucceed(t, "events", id, "--json")
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		var e struct{ ID, Type, Subject, Source, SpecVersion string }
		if err := json.Unmarshal([]byte(line), &e); err != nil || e.ID == "" || !strings.HasPrefix(e.Type, "vn.hoadon.") || e.SpecVersion != "1.0" {
			t.Errorf("events --json line %q: %v; want a whole CloudEvent", line, err)
		}
	}
}

// checkReverify runs hoadon reverify over the company's stored invoices:
// every one is verified again from its stored XML and recorded, none is
// unreadable, and the figures agree with a dry run's.
func checkReverify(t *testing.T, mst string, stored int) {
	t.Helper()
	run := func(extra ...string) importer.ReverifyReport {
		var out, errb bytes.Buffer
		if code := Main(context.Background(), append([]string{"reverify", "--company", mst, "--json"}, extra...), &out, &errb); code != 0 {
			t.Fatalf("hoadon reverify %v = exit %d: %s", extra, code, errb.String())
		}
		var rep importer.ReverifyReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("reverify --json: %v: %s", err, out.String())
		}
		return rep
	}
	dry, rep := run("--dry-run"), run()
	if rep.Checked != stored || rep.Updated != stored || len(rep.Unreadable) != 0 || rep.Valid == 0 ||
		dry.Checked != stored || dry.Updated != 0 || dry.Valid != rep.Valid || dry.Warnings != rep.Warnings {
		t.Errorf("reverify of %d stored invoices: %+v (dry run %+v)", stored, rep, dry)
	}
}
