package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/xmlsig"
)

func init() {
	register(command{
		words:   "xml verify",
		usage:   "[--ca-file PEM] [--json] FILE.xml|FILE.zip ...",
		summary: "verify the XML signatures of invoices: one line per signer",
		run:     runXMLVerify,
	})
}

// xmlVerifyResult is one file's entry of `xml verify --json`.
type xmlVerifyResult struct {
	File       string          `json:"file"`
	Signatures []xmlsig.Result `json:"signatures,omitempty"`
	Error      *resultError    `json:"error,omitempty"`
}

// runXMLVerify prints, for each file, one line per signature (the seller's
// first, "missing" when it did not sign). It fails (exit 1) when a file
// cannot be read or a signature is invalid; a missing seller signature or
// a warning (MST, chain) is reported but does not fail.
func runXMLVerify(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("xml verify", stderr)
	caFile := fs.String("ca-file", os.Getenv("HOADON_TRUSTED_CA_FILE"), "PEM trust store for the certificate chains (default $HOADON_TRUSTED_CA_FILE; none: chain not_checked)")
	asJSON := fs.Bool("json", false, "print a JSON array of {file, signatures|error}")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: no FILE given", errUsage)
	}
	v, err := xmlsig.NewVerifier(*caFile)
	if err != nil {
		return fmt.Errorf("--ca-file: %w", err)
	}
	var results []xmlVerifyResult
	bad := 0
	for _, f := range fs.Args() {
		r := xmlVerifyResult{File: f}
		sigs, err := verifyFile(v, f)
		if err != nil {
			r.Error = &resultError{Code: hoadon.ErrorCode(err), Message: hoadon.ErrorMessage(err)}
			bad++
		}
		r.Signatures = sigs
		for _, s := range sigs {
			if s.Status == xmlsig.StatusInvalid {
				bad++
				break
			}
		}
		results = append(results, r)
	}
	if *asJSON {
		if err := writeJSON(stdout, results); err != nil {
			return err
		}
	} else {
		for _, r := range results {
			printVerify(stdout, stderr, r)
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d files unreadable or with an invalid signature", bad, len(results))
	}
	return nil
}

func verifyFile(v *xmlsig.Verifier, name string) ([]xmlsig.Result, error) {
	data, err := xmlReadFile(name, einvoice.MaxZIPSize)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte("PK")) {
		if data, err = einvoice.XMLFromZIP(data); err != nil {
			return nil, err
		}
	}
	return v.Verify(data)
}

// printVerify writes one line per signature:
// FILE: ROLE STATUS [ALGORITHM] [mst M] [signed T] [chain C] [subject "S"] [— reason]
func printVerify(stdout, stderr io.Writer, r xmlVerifyResult) {
	if r.Error != nil {
		fmt.Fprintf(stderr, "%s: %s\n", r.File, r.Error.Message)
		return
	}
	for _, s := range r.Signatures {
		parts := []string{r.File + ":", string(s.Role), string(s.Status)}
		add := func(label, v string) {
			if v != "" {
				parts = append(parts, strings.TrimSpace(label+" "+v))
			}
		}
		add("", s.Algorithm)
		add("mst", s.MST)
		add("signed", s.SigningTime)
		add("chain", s.Chain)
		if s.Subject != "" {
			add("subject", fmt.Sprintf("%q", s.Subject))
		}
		add("—", s.Reason)
		fmt.Fprintln(stdout, strings.Join(parts, " "))
	}
}
