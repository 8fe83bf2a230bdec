package gdt

import (
	"fmt"
	"math/rand/v2"
)

// Company is one simulated portal account: a taxpayer whose MST is both
// the login and the seller/buyer tax code on its invoices.
type Company struct {
	MST      string `json:"mst"`
	Password string `json:"password"`
	Name     string `json:"name"`
}

// party is a seller or buyer as printed on an invoice.
type party struct {
	MST, Name, Address, Phone, Email, Bank, BankName string
}

// demoMST and demoPassword identify company 0, the demo company, so that
// `make run` and the README can name it regardless of the seed.
const (
	demoMST      = "0100000003"
	demoPassword = "Demo@2026"
	demoName     = "Công ty TNHH Mô Phỏng Hóa Đơn Demo"
)

var (
	nameWords = []string{"An Phát", "Bình Minh", "Hưng Thịnh", "Thành Công", "Phú Gia", "Đại Việt", "Sao Mai",
		"Hoàng Long", "Minh Khang", "Tân Tiến", "Kim Ngân", "Thiên Phúc", "Hải Âu", "Trường Sơn", "Nam Á"}
	sectors = []string{"Thương mại", "Xây dựng", "Dịch vụ", "Sản xuất", "Vận tải", "Công nghệ", "Thực phẩm", "Dược phẩm"}
	forms   = []string{"Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV", "Doanh nghiệp tư nhân"}
	streets = []string{"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Điện Biên Phủ", "Cách Mạng Tháng Tám"}
	cities  = []string{"Quận Hoàn Kiếm, Hà Nội", "Quận 1, TP. Hồ Chí Minh", "Quận Hải Châu, Đà Nẵng", "TP. Thủ Dầu Một, Bình Dương", "Quận Ngô Quyền, Hải Phòng"}
	banks   = []string{"Ngân hàng TMCP Ngoại thương Việt Nam", "Ngân hàng TMCP Công thương Việt Nam", "Ngân hàng TMCP Kỹ thương Việt Nam", "Ngân hàng Nông nghiệp và Phát triển Nông thôn"}
)

// buildCompanies derives the account list from the seed. MSTs are unique.
func buildCompanies(seed int64, n int) ([]Company, []party) {
	cs := make([]Company, n)
	ps := make([]party, n)
	seen := map[string]bool{demoMST: true}
	for i := range cs {
		r := newRand(seed, 1, uint64(i))
		p := randomParty(r, "01")
		c := Company{MST: p.MST, Name: p.Name, Password: fmt.Sprintf("Pw-%s!", hexFrom(r, 10, false))}
		if i == 0 {
			c = Company{MST: demoMST, Password: demoPassword, Name: demoName}
			p.MST, p.Name = demoMST, demoName
		}
		for i > 0 && seen[c.MST] {
			c.MST = randomMST(r, "01")
			p.MST = c.MST
		}
		seen[c.MST] = true
		cs[i], ps[i] = c, p
	}
	return cs, ps
}

// randomParty draws a company-like party with a valid MST.
func randomParty(r *rand.Rand, prefix string) party {
	name := fmt.Sprintf("%s %s %s %s", pick(r, forms), pick(r, sectors), pick(r, nameWords), pick(r, nameWords))
	return party{
		MST:      randomMST(r, prefix),
		Name:     name,
		Address:  fmt.Sprintf("Số %d %s, %s", 1+r.IntN(300), pick(r, streets), pick(r, cities)),
		Phone:    fmt.Sprintf("0%d%08d", 2+r.IntN(8), r.IntN(100000000)),
		Email:    fmt.Sprintf("ketoan%d@example.vn", r.IntN(10000)),
		Bank:     fmt.Sprintf("%013d", r.Int64N(1e13)),
		BankName: pick(r, banks),
	}
}

// randomPerson draws a retail buyer without a tax code.
func randomPerson(r *rand.Rand) party {
	family := []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"}
	given := []string{"Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Đức Huy", "Ngọc Lan"}
	return party{Name: pick(r, family) + " " + pick(r, given), Address: pick(r, cities)}
}
