package xmlsig

import (
	"strings"

	"github.com/beevik/etree"
)

// child returns the first child element with the local name (any case).
func child(el *etree.Element, name string) *etree.Element {
	if el == nil {
		return nil
	}
	for _, c := range el.ChildElements() {
		if strings.EqualFold(c.Tag, name) {
			return c
		}
	}
	return nil
}

// path follows child names from el.
func path(el *etree.Element, names ...string) *etree.Element {
	for _, n := range names {
		el = child(el, n)
	}
	return el
}

// dsChild returns the first XMLDSig-namespace child called name.
func dsChild(el *etree.Element, name string) *etree.Element {
	if cs := dsChildren(el, name); len(cs) > 0 {
		return cs[0]
	}
	return nil
}

func dsChildren(el *etree.Element, name string) []*etree.Element {
	if el == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == name && c.NamespaceURI() == nsDSig {
			out = append(out, c)
		}
	}
	return out
}

// find returns the first element called name in a breadth-first walk from
// el (el included).
func find(el *etree.Element, name string) *etree.Element {
	queue := []*etree.Element{el}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if strings.EqualFold(cur.Tag, name) {
			return cur
		}
		queue = append(queue, cur.ChildElements()...)
	}
	return nil
}

func attr(el *etree.Element, name string) string {
	if el == nil {
		return ""
	}
	return el.SelectAttrValue(name, "")
}

// encloses reports whether el is outer or inside it.
func encloses(outer, el *etree.Element) bool {
	for ; el != nil; el = el.Parent() {
		if el == outer {
			return true
		}
	}
	return false
}

// text returns the trimmed text of el ("" for nil).
func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.Text())
}
