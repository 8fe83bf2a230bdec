package gdt

import (
	"fmt"
	"math/rand/v2"
)

// mstWeights are the published weights of the first nine digits of a
// Vietnamese tax code; the tenth digit is 10 − (Σ dᵢwᵢ mod 11), and a
// remainder that would give 10 is never issued.
var mstWeights = [9]int{31, 29, 23, 19, 17, 13, 7, 5, 3}

// checkDigit returns the tenth digit for the first nine, or -1 if no tax
// code can start with them.
func checkDigit(first9 string) int {
	if len(first9) != 9 {
		return -1
	}
	sum := 0
	for i, w := range mstWeights {
		c := first9[i]
		if c < '0' || c > '9' {
			return -1
		}
		sum += int(c-'0') * w
	}
	d := 10 - sum%11
	if d == 10 {
		return -1
	}
	return d
}

// randomMST draws a valid 10-digit tax code. prefix is the first two digits
// (province code, e.g. "01" Hà Nội, "03" TP.HCM).
func randomMST(r *rand.Rand, prefix string) string {
	for {
		first := fmt.Sprintf("%s%07d", prefix, r.IntN(10000000))
		if d := checkDigit(first); d >= 0 {
			return fmt.Sprintf("%s%d", first, d)
		}
	}
}
