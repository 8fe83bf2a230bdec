package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
)

func init() {
	register(command{
		words:   "xml parse",
		usage:   "FILE.xml|FILE.zip",
		summary: "parse an invoice XML (or export-xml ZIP) and print its JSON",
		run:     runXMLParse,
	})
}

// runXMLParse prints the invoice's JSON to stdout and its warnings to
// stderr; malformed input is an error (exit 1).
func runXMLParse(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("xml parse", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("want exactly one file: %w", errUsage)
	}
	data, err := xmlReadFile(fs.Arg(0), einvoice.MaxZIPSize)
	if err != nil {
		return err
	}
	inv, err := einvoice.ParseAny(data)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	out, err := inv.JSON()
	if err != nil {
		return err
	}
	if _, err := stdout.Write(out); err != nil {
		return err
	}
	for _, w := range inv.Warnings {
		fmt.Fprintf(stderr, "warning: %s: %s\n", w.Code, w.Message)
	}
	if w := inv.SignatureWarning(); w != nil {
		fmt.Fprintf(stderr, "warning: %s: %s\n", w.Code, w.Message)
	}
	return nil
}

// xmlReadFile reads a file but refuses one larger than limit bytes, so a
// mistaken path to a huge file fails fast instead of filling memory.
func xmlReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeInvalid, err, "xml parse")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, hoadon.Wrap(hoadon.CodeInvalid, err, "xml parse")
	}
	if int64(len(data)) > limit {
		return nil, hoadon.Errorf(hoadon.CodeInvalid, "%s: larger than %d bytes", path, limit)
	}
	return data, nil
}
