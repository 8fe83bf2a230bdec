package workflows

import (
	"fmt"
	"strings"
	"unicode"
)

// Expression lexer for the text inside ${...}.

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tInt
	tFloat
	tString
	tOp
)

type token struct {
	kind tokKind
	text string // identifier, operator, or decoded string literal
	pos  int
}

// twoCharOps are matched before single-character operators.
var twoCharOps = []string{"//", "==", "!=", "<=", ">="}

const oneCharOps = "+-*/%<>()[]{},.:"

func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := rune(src[i])
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'':
			s, n, err := lexString(src[i:])
			if err != nil {
				return nil, fmt.Errorf("at %d: %w", i, err)
			}
			toks = append(toks, token{tString, s, i})
			i += n
		case unicode.IsDigit(c):
			j := i
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			kind := tInt
			if j+1 < len(src) && src[j] == '.' && isDigit(src[j+1]) {
				kind = tFloat
				j++
				for j < len(src) && isDigit(src[j]) {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && isDigit(src[k]) {
					kind = tFloat
					for j = k; j < len(src) && isDigit(src[j]); j++ {
					}
				}
			}
			toks = append(toks, token{kind, src[i:j], i})
			i = j
		case c == '_' || unicode.IsLetter(c):
			j := i
			for j < len(src) && (src[j] == '_' || isDigit(src[j]) || unicode.IsLetter(rune(src[j]))) {
				j++
			}
			toks = append(toks, token{tIdent, src[i:j], i})
			i = j
		default:
			op := ""
			for _, o := range twoCharOps {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" && strings.ContainsRune(oneCharOps, c) {
				op = string(c)
			}
			if op == "" {
				return nil, fmt.Errorf("unexpected character %q at %d", c, i)
			}
			toks = append(toks, token{tOp, op, i})
			i += len(op)
		}
	}
	return append(toks, token{tEOF, "", len(src)}), nil
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// lexString decodes a quoted literal with the usual backslash escapes.
func lexString(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch s[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			default:
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}
