package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	gdtsim "github.com/hoadon/hoadon/emulators/gdt"
	"github.com/hoadon/hoadon/shared/einvoice"
	"github.com/hoadon/hoadon/shared/export/exporttest"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// ExportShapes counts what an export's invoices hold, so a test can require
// the shapes it means to cover.
type ExportShapes struct {
	Replaced, Replacement, Discount, KCT, Foreign, Missing, Tampered int
}

// sellerVerdict is the seller signature's status the catalogue records for
// each signature state of the simulator (with its CA trusted).
var sellerVerdict = map[string]string{gdtsim.SigSigned: "valid", gdtsim.SigTampered: "invalid", gdtsim.SigUnsigned: "missing"}

// ExportWants is what the workbook of an export must show for the
// simulator's ground truth of one company, direction and period: every
// invoice in export order (issue date, then catalogue id), with the parsed
// invoice for those whose original XML the bundle carries, its current
// portal status and its seller signature's verdict (sig is the simulator's
// SignatureState; the server must trust the simulator's CA,
// Options.TrustSimulatorCA). It checks on the
// way that each bundled XML is byte for byte the simulator's (its SHA-256)
// and parses it with the project's parser, so the workbook is compared with
// the invoices as the portal issued them.
func ExportWants(bundle []byte, truth []gdtsim.Truth, sig func(gdtsim.Truth) string, company string, d hoadon.Direction) ([]exporttest.Want, ExportShapes, error) {
	var sh ExportShapes
	names, err := exporttest.Entries(bundle)
	if err != nil {
		return nil, sh, err
	}
	xmlOf := map[string]string{} // key → entry name
	for _, n := range names {
		if dir, file, ok := strings.Cut(n[strings.IndexByte(n, '/')+1:], "/"); ok && dir == "xml" {
			xmlOf[strings.TrimSuffix(file, ".xml")] = n
		}
	}
	var rows []gdtsim.Truth
	for _, tr := range truth {
		if hoadon.Flow(tr.Flow).Direction() == d {
			rows = append(rows, tr)
		}
	}
	id := func(tr gdtsim.Truth) string { return keyOf(tr).ID(company, d) }
	slices.SortFunc(rows, func(a, b gdtsim.Truth) int {
		return strings.Compare(a.Date+id(a), b.Date+id(b))
	})
	var wants []exporttest.Want
	for _, tr := range rows {
		w, err := wantOf(bundle, xmlOf, tr, d, &sh)
		if w.Inv != nil {
			w.Signature = sellerVerdict[sig(tr)]
			if sig(tr) == gdtsim.SigTampered {
				sh.Tampered++
			}
		}
		if err != nil {
			return nil, sh, err
		}
		wants = append(wants, w)
	}
	if len(xmlOf) != len(wants)-sh.Missing {
		return nil, sh, fmt.Errorf("the bundle holds %d XML files, the simulator %d invoices with one", len(xmlOf), len(wants)-sh.Missing)
	}
	return wants, sh, nil
}

func keyOf(tr gdtsim.Truth) hoadon.InvoiceKey {
	return hoadon.InvoiceKey{NBMST: tr.NBMST, KHMSHDon: tr.KHMSHDon, KHHDon: tr.KHHDon, SHDon: tr.SHDon}
}

func wantOf(bundle []byte, xmlOf map[string]string, tr gdtsim.Truth, d hoadon.Direction, sh *ExportShapes) (exporttest.Want, error) {
	key := keyOf(tr)
	w := exporttest.Want{Key: key, Direction: d, Status: tr.TThai}
	if !tr.HasXML {
		w.Missing = true
		sh.Missing++
		return w, nil
	}
	name, ok := xmlOf[key.String()]
	if !ok {
		return w, fmt.Errorf("the bundle has no XML of %s", key)
	}
	raw, err := exporttest.Entry(bundle, name)
	if err != nil {
		return w, err
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != tr.XMLSHA256 {
		return w, fmt.Errorf("%s: the bundled XML is not the simulator's", name)
	}
	if w.Inv, err = einvoice.Parse(raw); err != nil {
		return w, fmt.Errorf("%s: %w", name, err)
	}
	count(w, sh)
	return w, nil
}

func count(w exporttest.Want, sh *ExportShapes) {
	switch w.Status {
	case 4:
		sh.Replaced++
	case 2:
		sh.Replacement++
	}
	if c := w.Inv.General.DVTTe; c != "" && c != "VND" {
		sh.Foreign++
	}
	for _, l := range w.Inv.Lines {
		switch {
		case l.TChat == einvoice.LineDiscount:
			sh.Discount++
		case l.TSuat == "KCT":
			sh.KCT++
		}
	}
}

// writeTrustStore writes the certificate of the CA that issued every
// signing certificate of the simulator to dir, as the PEM trust store
// HOADON_TRUSTED_CA_FILE names, and returns its path.
func writeTrustStore(dir string) (string, error) {
	ca, err := gdtsim.CACertificate()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, "ca.pem")
	return path, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o600)
}
