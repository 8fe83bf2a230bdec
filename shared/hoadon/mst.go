package hoadon

import "regexp"

var (
	mstPattern      = regexp.MustCompile(`^[0-9]{10}(-[0-9]{3})?$`)
	personalPattern = regexp.MustCompile(`^[0-9]{12}$`)
	mstWeights      = [9]int{31, 29, 23, 19, 17, 13, 7, 5, 3}
)

// ValidateMST checks a Vietnamese tax code: ten digits whose last is the
// check digit (optionally followed by a -NNN branch suffix), or a twelve-digit
// personal identification number, which individuals use as their tax code
// since 2025 and which carries no check digit of its own.
func ValidateMST(mst string) error {
	if personalPattern.MatchString(mst) {
		return nil
	}
	if !mstPattern.MatchString(mst) {
		return Errorf(CodeInvalid, "tax code %q: want 10 digits, 10 digits-NNN or a 12-digit personal id", mst)
	}
	if want := MSTCheckDigit(mst[:9]); want < 0 || int(mst[9]-'0') != want {
		return Errorf(CodeInvalid, "tax code %q: check digit does not match", mst)
	}
	if len(mst) == 14 && mst[11:] == "000" {
		return Errorf(CodeInvalid, "tax code %q: branch suffix 000 is not issued", mst)
	}
	return nil
}

// MSTCheckDigit computes the tenth digit of a tax code from its first nine,
// or -1 when no valid code can start with those digits.
func MSTCheckDigit(first9 string) int {
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
