package einvoice

import (
	"strings"

	"github.com/hoadon/hoadon/shared/xmlsig"
)

// Warning codes of the seller's signature (SignatureWarning).
const (
	WarnSignatureMissing = "signature_missing" // the seller did not sign (cash-register invoices excepted)
	WarnSignatureInvalid = "signature_invalid" // the seller's signature does not verify
	WarnSignatureSigner  = "signature_signer"  // it verifies, but the certificate's MST or chain is not the seller's/trusted
)

// SignatureWarning returns the finding about the seller's signature, or nil
// when it is valid. A cash-register invoice (KHHDon's fourth letter M) may
// lawfully carry no seller signature, so its absence there is not a
// finding.
func (inv *Invoice) SignatureWarning() *Warning {
	seller, ok := xmlsig.Seller(inv.Signatures)
	if !ok {
		return nil
	}
	switch seller.Status {
	case xmlsig.StatusMissing:
		if inv.cashRegister() {
			return nil
		}
		return &Warning{Code: WarnSignatureMissing, Message: "the seller did not sign the invoice"}
	case xmlsig.StatusInvalid:
		return &Warning{Code: WarnSignatureInvalid, Message: "the seller's signature is invalid: " + seller.Reason}
	case xmlsig.StatusWarning:
		return &Warning{Code: WarnSignatureSigner, Message: "the seller's signature: " + seller.Reason}
	}
	return nil
}

func (inv *Invoice) cashRegister() bool {
	k := strings.ToUpper(inv.General.KHHDon)
	return len(k) >= 4 && k[3] == 'M'
}
