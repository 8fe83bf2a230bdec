package einvoice

import "fmt"

// lines reads DSHHDVu/HHDVu in document order.
func (r *reader) lines(list *node) []Line {
	items := list.children("HHDVu")
	out := make([]Line, 0, len(items))
	for i, n := range items {
		p := fmt.Sprintf("HHDVu[%d]", i+1)
		out = append(out, Line{
			TChat:      r.small(n, "TChat", p),
			STT:        r.small(n, "STT", p),
			MHHDVu:     n.str("MHHDVu"),
			THHDVu:     n.str("THHDVu"),
			DVTinh:     n.str("DVTinh"),
			SLuong:     r.num(n, "SLuong", p),
			DGia:       r.num(n, "DGia", p),
			TLCKhau:    r.num(n, "TLCKhau", p),
			STCKhau:    r.num(n, "STCKhau", p),
			ThTien:     r.num(n, "ThTien", p),
			TSuat:      n.str("TSuat"),
			TLTThue:    n.str("TLTThue"),
			TThue:      r.num(n, "TThue", p),
			Attributes: extras(n.child("TTHHDTrung")),
			Extras:     extras(n.child("TTKhac")),
		})
	}
	return out
}

// totals reads TToan with its per-rate summary and fees.
func (r *reader) totals(n *node) Totals {
	const p = "TToan"
	t := Totals{
		TgTCThue:  r.num(n, "TgTCThue", p),
		TgTThue:   r.num(n, "TgTThue", p),
		TTCKTMai:  r.num(n, "TTCKTMai", p),
		TgTPhi:    r.num(n, "TgTPhi", p),
		TGTKCThue: r.num(n, "TGTKCThue", p),
		TGTKhac:   r.num(n, "TGTKhac", p),
		TgTTTBSo:  r.num(n, "TgTTTBSo", p),
		TgTTTBChu: n.str("TgTTTBChu"),
		TLTThue:   n.str("TLTThue"),
		Extras:    extras(n.child("TTKhac")),
	}
	for i, ls := range n.child("THTTLTSuat").children("LTSuat") {
		lp := fmt.Sprintf("%s/LTSuat[%d]", p, i+1)
		t.Rates = append(t.Rates, RateTotal{
			TSuat:     ls.str("TSuat"),
			ThTien:    r.num(ls, "ThTien", lp),
			TThue:     r.num(ls, "TThue", lp),
			TTCKTMai:  r.num(ls, "TTCKTMai", lp),
			TGTKCThue: r.num(ls, "TGTKCThue", lp),
			TGTKhac:   r.num(ls, "TGTKhac", lp),
			TCDChinh:  ls.str("TCDChinh"),
		})
	}
	for i, f := range n.child("DSLPhi").children("LPhi") {
		fee := Fee{TLPhi: f.str("TLPhi"), TPhi: r.num(f, "TPhi", fmt.Sprintf("%s/LPhi[%d]", p, i+1))}
		if fee.TLPhi != "" || fee.TPhi.Valid() {
			t.Fees = append(t.Fees, fee)
		}
	}
	return t
}
