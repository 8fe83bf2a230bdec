package hoadon

import (
	"fmt"
	"strings"
)

// Direction says whose invoice it is from the company's point of view.
type Direction string

// The two directions. The portal calls them "sold" (we are the seller) and
// "purchase" (we are the buyer).
const (
	Sold     Direction = "sold"
	Purchase Direction = "purchase"
)

// Family is the portal's URL family: ordinary e-invoices live under "query",
// invoices coded from cash registers (máy tính tiền, MTT) under "sco-query".
type Family string

// The two portal families.
const (
	FamilyEInvoice     Family = "query"
	FamilyCashRegister Family = "sco-query"
)

// Flow is one of the four invoice streams a company has on the portal. The
// string values are the origin system's flow names, which API clients send.
type Flow string

// The four flows, named as in the origin system's API.
const (
	FlowSoldEInvoice         Flow = "ban_ra_dien_tu"
	FlowSoldCashRegister     Flow = "ban_ra_may_tinh_tien"
	FlowPurchaseEInvoice     Flow = "mua_vao_dien_tu"
	FlowPurchaseCashRegister Flow = "mua_vao_may_tinh_tien"
)

// AllFlows lists every flow in a stable order; it is the default when a
// request names none.
var AllFlows = []Flow{FlowSoldEInvoice, FlowSoldCashRegister, FlowPurchaseEInvoice, FlowPurchaseCashRegister}

// Direction reports whether the flow lists sold or purchased invoices.
func (f Flow) Direction() Direction {
	if f == FlowPurchaseEInvoice || f == FlowPurchaseCashRegister {
		return Purchase
	}
	return Sold
}

// Family reports which portal URL family serves the flow.
func (f Flow) Family() Family {
	if f == FlowSoldCashRegister || f == FlowPurchaseCashRegister {
		return FamilyCashRegister
	}
	return FamilyEInvoice
}

// Valid reports whether f is one of the four known flows.
func (f Flow) Valid() bool {
	for _, g := range AllFlows {
		if f == g {
			return true
		}
	}
	return false
}

// FlowFor returns the flow served by a direction and family.
func FlowFor(d Direction, fam Family) Flow {
	switch {
	case d == Purchase && fam == FamilyCashRegister:
		return FlowPurchaseCashRegister
	case d == Purchase:
		return FlowPurchaseEInvoice
	case fam == FamilyCashRegister:
		return FlowSoldCashRegister
	default:
		return FlowSoldEInvoice
	}
}

// ParseFlows validates a list of flow names. An empty list means all flows;
// duplicates are dropped; an unknown name is an invalid-input error that
// lists the accepted names.
func ParseFlows(names []string) ([]Flow, error) {
	if len(names) == 0 {
		return append([]Flow(nil), AllFlows...), nil
	}
	seen := map[Flow]bool{}
	var out []Flow
	for _, n := range names {
		f := Flow(strings.TrimSpace(n))
		if !f.Valid() {
			return nil, Errorf(CodeInvalid, "unknown flow %q (want one of %s)", n, flowNames())
		}
		if !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out, nil
}

func flowNames() string {
	s := make([]string, len(AllFlows))
	for i, f := range AllFlows {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// String returns the flow's API name.
func (f Flow) String() string { return string(f) }

// GoString helps test failure messages.
func (f Flow) GoString() string { return fmt.Sprintf("hoadon.Flow(%q)", string(f)) }
