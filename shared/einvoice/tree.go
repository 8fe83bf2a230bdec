package einvoice

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits on an XML document. A real invoice is about 10 KB with a few dozen
// to a few thousand elements; the limits are generous for that and keep a
// hostile or corrupt file from costing more than a few tens of MB.
const (
	MaxXMLSize  = 16 << 20 // bytes of XML accepted by Parse
	maxDepth    = 64       // element nesting
	maxElements = 500_000  // elements outside the skipped signature blocks (≈30 000 lines)
)

// node is one element of the document with its text; element names are
// local names (namespace prefixes dropped), matched case-insensitively.
type node struct {
	name  string
	attrs []xml.Attr
	text  []byte
	kids  []*node
}

// skippedElements are not read at all: the signature blocks are large and
// nothing in them belongs in the parsed invoice.
func skipped(local string) bool {
	return strings.EqualFold(local, "DSCKS") || strings.EqualFold(local, "Signature")
}

// readTree decodes data into a node tree, enforcing the limits above.
func readTree(data []byte) (*node, error) {
	if len(data) > MaxXMLSize {
		return nil, fmt.Errorf("XML is %d bytes, more than the %d accepted", len(data), MaxXMLSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // UTF-8 BOM
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = charsetReader
	b := &treeBuilder{}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not well-formed XML: %w", err)
		}
		if err := b.add(dec, tok); err != nil {
			return nil, err
		}
	}
	if b.root == nil {
		return nil, errors.New("no XML element found")
	}
	if len(b.stack) > 0 {
		return nil, errors.New("not well-formed XML: unexpected end of document")
	}
	return b.root, nil
}

// charsetReader accepts only UTF-8 under its various labels: the regulation
// mandates UTF-8 and every observed file uses it.
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return r, nil
	}
	return nil, fmt.Errorf("unsupported XML encoding %q (want UTF-8)", label)
}

type treeBuilder struct {
	root  *node
	stack []*node
	count int
}

func (b *treeBuilder) add(dec *xml.Decoder, tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		if skipped(t.Name.Local) {
			if err := dec.Skip(); err != nil {
				return fmt.Errorf("not well-formed XML: %w", err)
			}
			return nil
		}
		return b.open(t)
	case xml.EndElement:
		if len(b.stack) > 0 {
			b.stack = b.stack[:len(b.stack)-1]
		}
	case xml.CharData:
		if len(b.stack) > 0 {
			top := b.stack[len(b.stack)-1]
			top.text = append(top.text, t...)
		}
	}
	return nil
}

func (b *treeBuilder) open(t xml.StartElement) error {
	if len(b.stack) >= maxDepth {
		return fmt.Errorf("XML nested deeper than %d elements", maxDepth)
	}
	if b.count++; b.count > maxElements {
		return fmt.Errorf("XML has more than %d elements", maxElements)
	}
	n := &node{name: t.Name.Local, attrs: t.Attr}
	if len(b.stack) == 0 {
		if b.root != nil {
			return errors.New("not well-formed XML: more than one root element")
		}
		b.root = n
	} else {
		parent := b.stack[len(b.stack)-1]
		parent.kids = append(parent.kids, n)
	}
	b.stack = append(b.stack, n)
	return nil
}

// is reports whether the element has the given local name.
func (n *node) is(name string) bool { return n != nil && strings.EqualFold(n.name, name) }

// child returns the first child element called name, or nil. It is nil-safe
// so lookups chain through missing elements.
func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, k := range n.kids {
		if k.is(name) {
			return k
		}
	}
	return nil
}

// children returns every child element called name.
func (n *node) children(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, k := range n.kids {
		if k.is(name) {
			out = append(out, k)
		}
	}
	return out
}

// value returns the element's trimmed text ("" for a nil node).
func (n *node) value() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(string(n.text))
}

// hasText reports whether n or an element below it holds text: an empty
// <TTHDLQuan/> (or one holding only empty children) says nothing.
func hasText(n *node) bool {
	if n == nil {
		return false
	}
	if n.value() != "" {
		return true
	}
	for _, k := range n.kids {
		if hasText(k) {
			return true
		}
	}
	return false
}

// str returns the trimmed text of the child called name.
func (n *node) str(name string) string { return n.child(name).value() }

// attr returns the value of the attribute with the given local name.
func (n *node) attr(name string) string {
	if n == nil {
		return ""
	}
	for _, a := range n.attrs {
		if strings.EqualFold(a.Name.Local, name) && a.Name.Space != "xmlns" {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// find returns the first element called name in a breadth-first walk from n
// (n included), so an HDon wrapped in a transmission envelope is found.
func (n *node) find(name string) *node {
	queue := []*node{n}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur.is(name) {
			return cur
		}
		queue = append(queue, cur.kids...)
	}
	return nil
}
