package hoadon

import "strings"

// MaxIDLength bounds the ids this system hands out or accepts in a path
// (import, schedule, event, invoice and subscriber ids).
const MaxIDLength = 128

// ValidateID checks an id that names a Firestore document or appears in a
// URL path: 1 to MaxIDLength characters of [A-Za-z0-9_-], and not of the
// form __name__, which Firestore reserves (it refuses such a document id
// with an error that would otherwise surface as a 500). what names the id in
// the message ("task id", "schedule_id" ...).
func ValidateID(what, id string) error {
	if id == "" {
		return Errorf(CodeInvalid, "%s is required", what)
	}
	if len(id) > MaxIDLength {
		return Errorf(CodeInvalid, "%s is longer than %d characters", what, MaxIDLength)
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return Errorf(CodeInvalid, "%s %q may hold only letters, digits, - and _", what, id)
		}
	}
	if ReservedID(id) {
		return Errorf(CodeInvalid, "%s %q: ids of the form __name__ are reserved", what, id)
	}
	return nil
}

// ReservedID reports whether id has Firestore's reserved form __name__.
func ReservedID(id string) bool {
	return len(id) >= 4 && strings.HasPrefix(id, "__") && strings.HasSuffix(id, "__")
}
