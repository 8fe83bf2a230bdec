package gdt

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// counterpart is a buyer (sold flows) or seller (purchase flows) that is
// not a listed account: purchase invoices of company X are sold invoices of
// simulated sellers that have no login of their own.
type counterpart struct {
	party   party
	symbols []string // 3-char symbol tails, e.g. "TAB" (type letter + 2)
	tmpl    int      // khmshdon
}

// letters are the seller-chosen last two characters of a symbol.
const symbolLetters = "ABCDEGHKMNPQRSTVXY"

func symbolTail(r *rand.Rand, typ byte) string {
	return string([]byte{typ, symbolLetters[r.IntN(len(symbolLetters))], symbolLetters[r.IntN(len(symbolLetters))]})
}

// pools derives the company's own symbols and its counterparts per flow.
// They depend only on the seed and company, so they are stable over months.
func (s *Simulator) pools(c int, f flow) (self counterpart, others []counterpart) {
	r := newRand(s.opts.Seed, 3, uint64(c), uint64(f))
	self = counterpart{party: s.parties[c], tmpl: 1}
	switch f {
	case flowSoldQuery, flowSoldSco:
		typ := byte('T')
		if f == flowSoldSco {
			typ = 'M'
		}
		self.symbols = []string{symbolTail(r, typ), symbolTail(r, typ)}
		for i := 0; i < 12; i++ {
			if f == flowSoldSco && r.IntN(10) < 7 || f == flowSoldQuery && r.IntN(10) < 2 {
				others = append(others, counterpart{party: randomPerson(r)})
			} else {
				others = append(others, counterpart{party: randomParty(r, "03")})
			}
		}
	default:
		n, typ, tmpl := 8, byte('T'), 1
		if f == flowPurchaseSco {
			n, typ, tmpl = 5, 'M', 2
		}
		for i := 0; i < n; i++ {
			others = append(others, counterpart{party: randomParty(r, pick(r, []string{"01", "03", "04", "22"})),
				symbols: []string{symbolTail(r, typ)}, tmpl: tmpl})
		}
	}
	return self, others
}

// generateFlow creates the invoices of one company, month and flow in list
// order. Invoice numbers are (month−1)×N + i + 1, so a number alone tells
// which month holds it and numbers never repeat within a symbol's year.
func (s *Simulator) generateFlow(c, year int, month time.Month, f flow) []*invoice {
	n := s.opts.InvoicesPerMonth
	r := newRand(s.opts.Seed, 2, uint64(c), uint64(year), uint64(month), uint64(f))
	self, others := s.pools(c, f)
	days := time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
	dayOf := make([]int, n)
	for i := range dayOf {
		dayOf[i] = 1 + r.IntN(days)
	}
	slices.Sort(dayOf)
	out := make([]*invoice, n)
	for i := range out {
		inv := &invoice{Flow: f, Date: time.Date(year, month, dayOf[i], 0, 0, 0, 0, vn), Seed: r.Uint64()}
		s.assignParties(inv, r, self, pick(r, others), int64(int(month)-1)*int64(n)+int64(i)+1)
		s.classify(inv, r)
		out[i] = inv
	}
	s.pairRelated(out, r)
	for _, inv := range out {
		lr := rand.New(rand.NewPCG(inv.Seed, mix(inv.Seed)))
		inv.Currency, inv.Rate = currencyOf(inv)
		if inv.TThai == 3 {
			inv.Lines = adjustmentLines(lr, inv.Related.Original)
		} else {
			inv.Lines = makeLines(lr, defaultRate(inv), inv.Key.KHMSHDon == 2)
			inCurrency(inv.Lines, inv.Rate)
		}
		inv.applyTotals()
	}
	slices.SortFunc(out, func(a, b *invoice) int {
		if rowLess(a, b) {
			return -1
		}
		return 1
	})
	return out
}

// assignParties sets seller, buyer and key: the company sells on its own
// symbols in sold flows and buys from the counterpart in purchase flows.
func (s *Simulator) assignParties(inv *invoice, r *rand.Rand, self, other counterpart, number int64) {
	seller, buyer := self, other
	if inv.Flow.purchase() {
		seller, buyer = other, self
	}
	sym := seller.symbols[0]
	if len(seller.symbols) > 1 && r.IntN(7) == 0 {
		sym = seller.symbols[1]
	}
	inv.Seller, inv.Buyer = seller.party, buyer.party
	series := byte('C')
	if inv.Flow == flowSoldQuery && sym == seller.symbols[1] || inv.Flow == flowPurchaseQuery && r.IntN(6) == 0 {
		series = 'K' // a minority of symbols carry no tax-authority code
	}
	inv.Key = invKey{NBMST: seller.party.MST, KHMSHDon: seller.tmpl,
		KHHDon: fmt.Sprintf("%c%02d%s", series, inv.Date.Year()%100, sym), SHDon: number}
}

// currencyOf bills about one e-invoice in twelve of template 1 in US
// dollars (with cents) at an exchange rate of its own; a replacement or
// adjustment keeps its original's currency. It draws on the invoice's seed
// only, so the rest of the month is unchanged.
func currencyOf(inv *invoice) (string, int64) {
	orig := inv
	if inv.Related != nil {
		orig = inv.Related.Original
	}
	if orig.Flow.sco() || orig.Key.KHMSHDon != 1 || (orig.Seed>>16)%12 != 0 {
		return "", 0
	}
	return "USD", 25000 + int64((orig.Seed>>32)%800)
}

// defaultRate is the invoice's main VAT rate; the 8 % reduced rate is common
// in 2025–2026 data.
func defaultRate(inv *invoice) string {
	if inv.Seed%3 == 0 {
		return "10%"
	}
	return "8%"
}

// classify sets status, processing code, form, ids and dossier.
func (s *Simulator) classify(inv *invoice, r *rand.Rand) {
	inv.TThai = 1
	inv.ID = uuidFrom(r)
	inv.MTDiep = "V" + inv.Seller.MST[:10] + hexFrom(r, 32, true)
	switch {
	case inv.Flow.sco():
		inv.TTXLy, inv.HTHDon = 8, 5
		inv.MHDon = fmt.Sprintf("M%d-%02d-%s-%011d", inv.Key.KHMSHDon, inv.Date.Year()%100, hexFrom(r, 5, true), r.Int64N(1e11))
	case inv.Key.KHHDon[0] == 'K':
		inv.TTXLy, inv.HTHDon = 6, 0
	default:
		inv.TTXLy, inv.HTHDon = 5, 1
		inv.MHDon = "00" + hexFrom(r, 32, true)
	}
	if inv.MHDon != "" {
		inv.HSGCMa = uuidFrom(r)
	}
	hs := uuidFrom(r)
	if inv.Flow.sco() || r.Float64() >= s.opts.DossierlessShare {
		inv.HSGoc = hs
	}
}

// pairRelated turns some invoices into replacements (tthai 2, original 4)
// or adjustments (tthai 3, original 5) of an earlier invoice of the same
// seller and month, copying the original's parties and symbol.
func (s *Simulator) pairRelated(invs []*invoice, r *rand.Rand) {
	for i := 1; i < len(invs); i++ {
		if r.Float64() >= s.opts.RelatedShare {
			continue
		}
		j := r.IntN(i)
		orig := invs[j]
		if orig.TThai != 1 || orig.Related != nil {
			continue
		}
		inv := invs[i]
		kind := 1 + r.IntN(2)
		inv.Seller, inv.Buyer = orig.Seller, orig.Buyer
		inv.Key.NBMST, inv.Key.KHMSHDon, inv.Key.KHHDon = orig.Key.NBMST, orig.Key.KHMSHDon, orig.Key.KHHDon
		inv.TTXLy, inv.HTHDon = orig.TTXLy, orig.HTHDon
		switch {
		case orig.MHDon == "":
			inv.MHDon, inv.HSGCMa = "", ""
		case inv.MHDon == "":
			inv.MHDon, inv.HSGCMa = "00"+hexFrom(r, 32, true), uuidFrom(r)
		}
		inv.Related = &related{Kind: kind, Key: orig.Key, Date: orig.Date, Original: orig}
		orig.Replaced = inv
		inv.TThai, orig.TThai = 2, 4
		if kind == 2 {
			inv.TThai, orig.TThai = 3, 5
		}
	}
}
