package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/hoadon"
)

func init() {
	register(command{
		words:   "export",
		usage:   "--company MST --from DATE --to DATE --direction purchase|sold [--format xlsx|zip] [--english] --out FILE" + apiUsage,
		summary: "download a company's purchase or sales list (bảng kê, .xlsx) or period bundle (.zip) of a period",
		run:     runExport,
	})
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", stderr)
	api := addAPIFlags(fs)
	var req client.ExportRequest
	var direction, from, to, out string
	fs.StringVar(&req.Company, "company", "", "the company's tax code (MST)")
	fs.StringVar(&from, "from", "", "first day, YYYY-MM-DD (or YYYY-MM for a whole month)")
	fs.StringVar(&to, "to", "", "last day, YYYY-MM-DD (or YYYY-MM for a whole month)")
	fs.StringVar(&direction, "direction", "", "purchase (mua vào) or sold (bán ra)")
	fs.StringVar(&req.Format, "format", "xlsx", "xlsx (the workbook) or zip (XML, HTML, JSON and the workbook)")
	fs.BoolVar(&req.English, "english", false, "English sheet names and headers")
	fs.StringVar(&out, "out", "", "file to write (written whole or not at all)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	if err := exportParams(&req, direction, from, to, out); err != nil {
		return err
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	n, err := download(ctx, c, req, out, stderr)
	if err != nil {
		return explain(err)
	}
	if api.json {
		return writeJSON(stdout, map[string]any{"file": out, "bytes": n})
	}
	_, err = fmt.Fprintf(stdout, "%s (%s)\n", out, sizeText(n))
	return err
}

// exportParams checks the selection before anything is asked of the API.
func exportParams(req *client.ExportRequest, direction, from, to, out string) error {
	if req.Company == "" || from == "" || to == "" || direction == "" || out == "" {
		return fmt.Errorf("%w: --company, --from, --to, --direction and --out are required", errUsage)
	}
	if err := hoadon.ValidateMST(req.Company); err != nil {
		return fmt.Errorf("%w: --company: %s", errUsage, hoadon.ErrorMessage(err))
	}
	req.Direction = hoadon.Direction(direction)
	if req.Direction != hoadon.Purchase && req.Direction != hoadon.Sold {
		return fmt.Errorf("%w: --direction %q: want purchase or sold", errUsage, direction)
	}
	if req.Format != "xlsx" && req.Format != "zip" {
		return fmt.Errorf("%w: --format %q: want xlsx or zip", errUsage, req.Format)
	}
	var err error
	req.From, req.To, err = period(from, to)
	return err
}

// download writes the export next to out and renames it into place once
// complete, so a cut download never leaves a file that looks whole.
func download(ctx context.Context, c *client.Client, req client.ExportRequest, out string, stderr io.Writer) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".part-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	p := &byteProgress{w: stderr}
	n, err := c.Export(ctx, req, tmp, p.update)
	p.done()
	if err == nil {
		err = tmp.Close()
	} else {
		tmp.Close()
	}
	if err != nil {
		return n, err
	}
	return n, os.Rename(tmp.Name(), out)
}

// byteProgress shows the bytes received (and the share, when the server
// announced a length) at most a few times a second.
type byteProgress struct {
	w     io.Writer
	last  time.Time
	shown bool
}

func (p *byteProgress) update(done, total int64) {
	if time.Since(p.last) < 250*time.Millisecond {
		return
	}
	p.last, p.shown = time.Now(), true
	if total > 0 {
		fmt.Fprintf(p.w, "\r%s of %s (%d%%)  ", sizeText(done), sizeText(total), done*100/total)
		return
	}
	fmt.Fprintf(p.w, "\r%s  ", sizeText(done))
}

func (p *byteProgress) done() {
	if p.shown {
		fmt.Fprintln(p.w)
	}
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
