package gcs

import "fmt"

// ValidateBucketName applies Cloud Storage's naming rules (3–63 characters of lowercase
// letters, digits, '-', '_' and '.', starting and ending with a letter or digit; up to 222
// with dots, each dot-separated part at most 63), so a name the real service would refuse
// fails locally too instead of surfacing only in the cloud.
func ValidateBucketName(name string) error {
	max := 63
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			max = 222
		}
	}
	if len(name) < 3 || len(name) > max {
		return fmt.Errorf("bucket name %q: length %d, want 3..%d", name, len(name), max)
	}
	if !alnum(name[0]) || !alnum(name[len(name)-1]) {
		return fmt.Errorf("bucket name %q: must start and end with a lowercase letter or digit", name)
	}
	part := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '.':
			part = 0
			continue
		case alnum(c) || c == '-' || c == '_':
		default:
			return fmt.Errorf("bucket name %q: character %q not allowed", name, c)
		}
		if part++; part > 63 {
			return fmt.Errorf("bucket name %q: a dot-separated part is longer than 63", name)
		}
	}
	return nil
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
