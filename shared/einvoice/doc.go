// Package einvoice reads the original e-invoice XML of Circular 78/2021
// (the `HDon` document the GDT portal's export-xml endpoint returns inside a
// ZIP) into typed Go values with exact decimals, and renders them as a
// stable JSON document (see README.md for the shape).
//
// Parsing is deliberately forgiving about what real vendors vary (element
// order, letter case, namespaces, XML declaration, extra vendor elements,
// zero-padded numbers, 0–6 decimals, missing signatures) and strict about
// what makes the document unusable (not XML, no invoice key, a number that
// is not a number): those are errors classified hoadon.CodeBadData. Amounts
// that do not add up are never errors; they become Warnings, because the
// invoice is still the legal original and must be stored as issued.
package einvoice
