// Package hoadon is the domain core of the project: the invoice flows, the
// natural key of an invoice, tax-code (MST) validation, date windows and the
// one error taxonomy that every adapter classifies into.
//
// It imports no cloud or portal package so that the GDT client, the stores,
// the queue and the handlers can all speak the same small vocabulary.
package hoadon
