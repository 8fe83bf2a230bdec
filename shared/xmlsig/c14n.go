package xmlsig

import (
	"fmt"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Algorithm URIs.
const (
	nsDSig          = "http://www.w3.org/2000/09/xmldsig#"
	c14n10          = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	c14n10Comments  = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
	c14n11          = "http://www.w3.org/2006/12/xml-c14n11"
	c14n11Comments  = "http://www.w3.org/2006/12/xml-c14n11#WithComments"
	excC14N         = "http://www.w3.org/2001/10/xml-exc-c14n#"
	excC14NComments = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments"
	envelopedSig    = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
)

// c14nNames are the short names reported in Result.Algorithm.
var c14nNames = map[string]string{
	c14n10: "c14n", c14n10Comments: "c14n-with-comments", c14n11: "c14n11", c14n11Comments: "c14n11-with-comments",
	excC14N: "exc-c14n", excC14NComments: "exc-c14n-with-comments",
}

// withoutComments maps an algorithm to its comment-free variant: a
// same-document Reference ("" or "#Id") selects no comment nodes, so its
// digest never covers comments whatever the transform says (XMLDSig §4.4.3.3).
func withoutComments(alg string) string {
	switch alg {
	case c14n10Comments:
		return c14n10
	case c14n11Comments:
		return c14n11
	case excC14NComments:
		return excC14N
	}
	return alg
}

// canonicalize serialises el where it stands in the document (inclusive
// canonicalisation renders the namespaces its ancestors declare) with the
// algorithm alg. prefixes is the InclusiveNamespaces PrefixList of an
// exclusive transform.
func canonicalize(el *etree.Element, alg, prefixes string) ([]byte, error) {
	switch alg {
	case c14n10:
		return dsig.MakeC14N10RecCanonicalizer().Canonicalize(el)
	case c14n10Comments:
		return dsig.MakeC14N10WithCommentsCanonicalizer().Canonicalize(el)
	}
	// The other canonicalizers read no ancestor: detach a copy that declares
	// every namespace in scope.
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, err
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, err
	}
	switch alg {
	case excC14N:
		return dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList(prefixes).Canonicalize(detached)
	case excC14NComments:
		return dsig.MakeC14N10ExclusiveWithCommentsCanonicalizerWithPrefixList(prefixes).Canonicalize(detached)
	case c14n11:
		return dsig.MakeC14N11Canonicalizer().Canonicalize(detached)
	case c14n11Comments:
		return dsig.MakeC14N11WithCommentsCanonicalizer().Canonicalize(detached)
	}
	return nil, fmt.Errorf("unsupported canonicalisation %q", alg)
}
