// Package gdt simulates the GDT e-invoice portal (hoadondientu.gdt.gov.vn)
// closely enough that the project's portal client, captcha solver, XML
// parser and import pipeline can be tested end to end without the real
// portal: captcha + login with HS512 JWTs, the four invoice lists with the
// portal's FIQL search and opaque cursor, detail, export-xml ZIPs carrying a
// TT78 invoice XML, the WAF's request-id rule, rate limits and injectable
// faults. Data is generated deterministically from a seed, lazily per
// company and month, so large configurations stay cheap.
//
// The behaviour follows shared/reference/gdt-portal.md (§11 lists the
// minimum); where the reference is uncertain the choice made is written in
// README.md. Importers alias the package as gdtsim. By design it imports
// nothing from the code it stands in for (shared/, functions/).
package gdt

//go:generate go run ./internal/glyphgen -in ../../testdata/captcha -out glyphs.json
