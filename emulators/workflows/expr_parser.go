package workflows

import (
	"fmt"
	"strconv"
	"strings"
)

// Expression syntax tree and a precedence-climbing parser. Precedence, loosest first:
// or, and, not, comparisons and `in`, + -, * / // %, unary minus, postfix (. [] call).

type exprNode interface{}

type (
	litNode   struct{ v any }
	identNode struct{ name string }
	fieldNode struct {
		x    exprNode
		name string
	}
	indexNode struct{ x, idx exprNode }
	callNode  struct {
		name string
		args []exprNode
	}
	unaryNode struct {
		op string
		x  exprNode
	}
	binaryNode struct {
		op   string
		l, r exprNode
	}
	listNode struct{ elems []exprNode }
	mapNode  struct{ keys, vals []exprNode }
)

type parser struct {
	toks []token
	i    int
}

// parseExpr parses the text inside ${...}.
func parseExpr(src string) (exprNode, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, fmt.Errorf("unexpected %q at %d", p.peek().text, p.peek().pos)
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) isOp(op string) bool {
	t := p.peek()
	return t.kind == tOp && t.text == op
}

func (p *parser) isWord(w string) bool {
	t := p.peek()
	return t.kind == tIdent && t.text == w
}

func (p *parser) expect(op string) error {
	if !p.isOp(op) {
		t := p.peek()
		if t.kind == tEOF {
			return fmt.Errorf("expected %q at end of expression", op)
		}
		return fmt.Errorf("expected %q at %d, found %q", op, t.pos, t.text)
	}
	p.i++
	return nil
}

func (p *parser) parseOr() (exprNode, error) {
	l, err := p.parseAnd()
	for err == nil && p.isWord("or") {
		p.i++
		var r exprNode
		if r, err = p.parseAnd(); err == nil {
			l = binaryNode{"or", l, r}
		}
	}
	return l, err
}

func (p *parser) parseAnd() (exprNode, error) {
	l, err := p.parseNot()
	for err == nil && p.isWord("and") {
		p.i++
		var r exprNode
		if r, err = p.parseNot(); err == nil {
			l = binaryNode{"and", l, r}
		}
	}
	return l, err
}

func (p *parser) parseNot() (exprNode, error) {
	if p.isWord("not") {
		p.i++
		x, err := p.parseNot()
		return unaryNode{"not", x}, err
	}
	return p.parseCompare()
}

var compareOps = map[string]bool{"==": true, "!=": true, "<": true, "<=": true, ">": true, ">=": true}

func (p *parser) parseCompare() (exprNode, error) {
	l, err := p.parseSum()
	for err == nil {
		t := p.peek()
		op := ""
		switch {
		case t.kind == tOp && compareOps[t.text]:
			op = t.text
		case t.kind == tIdent && t.text == "in":
			op = "in"
		}
		if op == "" {
			break
		}
		p.i++
		var r exprNode
		if r, err = p.parseSum(); err == nil {
			l = binaryNode{op, l, r}
		}
	}
	return l, err
}

func (p *parser) parseSum() (exprNode, error) {
	l, err := p.parseProduct()
	for err == nil && (p.isOp("+") || p.isOp("-")) {
		op := p.next().text
		var r exprNode
		if r, err = p.parseProduct(); err == nil {
			l = binaryNode{op, l, r}
		}
	}
	return l, err
}

func (p *parser) parseProduct() (exprNode, error) {
	l, err := p.parseUnary()
	for err == nil && (p.isOp("*") || p.isOp("/") || p.isOp("//") || p.isOp("%")) {
		op := p.next().text
		var r exprNode
		if r, err = p.parseUnary(); err == nil {
			l = binaryNode{op, l, r}
		}
	}
	return l, err
}

func (p *parser) parseUnary() (exprNode, error) {
	if p.isOp("-") {
		p.i++
		x, err := p.parseUnary()
		return unaryNode{"-", x}, err
	}
	return p.parsePostfix()
}

func (p *parser) parsePostfix() (exprNode, error) {
	x, err := p.parsePrimary()
	for err == nil {
		switch {
		case p.isOp("."):
			p.i++
			t := p.next()
			if t.kind != tIdent {
				return nil, fmt.Errorf("expected a field name after '.' at %d", t.pos)
			}
			x = fieldNode{x, t.text}
		case p.isOp("["):
			p.i++
			var idx exprNode
			if idx, err = p.parseOr(); err == nil {
				err = p.expect("]")
			}
			x = indexNode{x, idx}
		case p.isOp("("):
			name, ok := dottedName(x)
			if !ok {
				return nil, fmt.Errorf("only named functions can be called (at %d)", p.peek().pos)
			}
			p.i++
			var args []exprNode
			if args, err = p.parseList(")"); err == nil {
				x = callNode{name, args}
			}
		default:
			return x, nil
		}
	}
	return x, err
}

// dottedName turns a chain like sys.get_env into "sys.get_env".
func dottedName(n exprNode) (string, bool) {
	switch t := n.(type) {
	case identNode:
		return t.name, true
	case fieldNode:
		base, ok := dottedName(t.x)
		return base + "." + t.name, ok
	}
	return "", false
}

func (p *parser) parseList(closer string) ([]exprNode, error) {
	var out []exprNode
	for !p.isOp(closer) {
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	return out, p.expect(closer)
}

func (p *parser) parsePrimary() (exprNode, error) {
	t := p.next()
	switch t.kind {
	case tInt:
		v, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("integer %s out of range", t.text)
		}
		return litNode{v}, nil
	case tFloat:
		v, err := strconv.ParseFloat(t.text, 64)
		return litNode{v}, err
	case tString:
		return litNode{t.text}, nil
	case tIdent:
		switch strings.ToLower(t.text) {
		case "true":
			if t.text == "true" || t.text == "True" || t.text == "TRUE" {
				return litNode{true}, nil
			}
		case "false":
			if t.text == "false" || t.text == "False" || t.text == "FALSE" {
				return litNode{false}, nil
			}
		case "null":
			if t.text == "null" {
				return litNode{nil}, nil
			}
		}
		return identNode{t.text}, nil
	case tOp:
		switch t.text {
		case "(":
			x, err := p.parseOr()
			if err == nil {
				err = p.expect(")")
			}
			return x, err
		case "[":
			elems, err := p.parseList("]")
			return listNode{elems}, err
		case "{":
			return p.parseMap()
		}
	case tEOF:
		return nil, fmt.Errorf("unexpected end of expression")
	}
	return nil, fmt.Errorf("unexpected %q at %d", t.text, t.pos)
}

func (p *parser) parseMap() (exprNode, error) {
	var m mapNode
	for !p.isOp("}") {
		k, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		v, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		m.keys, m.vals = append(m.keys, k), append(m.vals, v)
		if !p.isOp(",") {
			break
		}
		p.i++
	}
	return m, p.expect("}")
}

// walkExpr visits every node of an expression tree.
func walkExpr(n exprNode, f func(exprNode)) {
	f(n)
	switch t := n.(type) {
	case fieldNode:
		walkExpr(t.x, f)
	case indexNode:
		walkExpr(t.x, f)
		walkExpr(t.idx, f)
	case callNode:
		for _, a := range t.args {
			walkExpr(a, f)
		}
	case unaryNode:
		walkExpr(t.x, f)
	case binaryNode:
		walkExpr(t.l, f)
		walkExpr(t.r, f)
	case listNode:
		for _, e := range t.elems {
			walkExpr(e, f)
		}
	case mapNode:
		for i := range t.keys {
			walkExpr(t.keys[i], f)
			walkExpr(t.vals[i], f)
		}
	}
}
