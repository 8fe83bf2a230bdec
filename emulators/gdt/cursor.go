package gdt

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/fnv"
	"time"
)

// cursor is the decoded `state`: where the previous page ended, bound to
// the query it came from (like the real token, which wraps the driver's
// paging state holding the last row key).
type cursor struct {
	fingerprint uint64
	date        time.Time
	key         invKey
}

// stateMagic starts every token, so garbage is recognised early.
var stateMagic = []byte{0x00, 0x9a, 0x47, 0x44}

func fingerprint(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// encode renders the cursor as lowercase hex.
func (c cursor) encode() string {
	b := append([]byte{}, stateMagic...)
	b = binary.BigEndian.AppendUint64(b, c.fingerprint)
	b = binary.BigEndian.AppendUint64(b, uint64(c.date.Unix()))
	b = appendStr(b, c.key.NBMST)
	b = append(b, byte(c.key.KHMSHDon))
	b = appendStr(b, c.key.KHHDon)
	b = binary.BigEndian.AppendUint64(b, uint64(c.key.SHDon))
	return hex.EncodeToString(b)
}

func appendStr(b []byte, s string) []byte {
	return append(append(b, byte(len(s))), s...)
}

var errState = errors.New("invalid state")

// decodeCursor parses a state token.
func decodeCursor(s string) (cursor, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) < len(stateMagic)+16 || string(b[:4]) != string(stateMagic) {
		return cursor{}, errState
	}
	b = b[4:]
	c := cursor{fingerprint: binary.BigEndian.Uint64(b), date: time.Unix(int64(binary.BigEndian.Uint64(b[8:])), 0).In(vn)}
	b = b[16:]
	var ok bool
	if c.key.NBMST, b, ok = readStr(b); !ok || len(b) < 1 {
		return cursor{}, errState
	}
	c.key.KHMSHDon, b = int(b[0]), b[1:]
	if c.key.KHHDon, b, ok = readStr(b); !ok || len(b) != 8 {
		return cursor{}, errState
	}
	c.key.SHDon = int64(binary.BigEndian.Uint64(b))
	return c, nil
}

func readStr(b []byte) (string, []byte, bool) {
	if len(b) < 1 || len(b) < 1+int(b[0]) {
		return "", nil, false
	}
	n := int(b[0])
	return string(b[1 : 1+n]), b[1+n:], true
}
