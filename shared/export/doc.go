// Package export turns a selection of a company's invoices (one tenant,
// company, direction and period) into what an accountant files: the purchase
// or sales list (bảng kê) as an Excel workbook, and a period bundle (.zip)
// holding every original XML, the portal's rendered HTML, the parsed JSON and
// the workbook.
//
// Both stream: the records come one at a time from a Source (the tenant's
// invoice catalogue), each invoice's parsed JSON is read, written out and
// dropped, and the workbook's sheets go through excelize's StreamWriter,
// which keeps at most a bounded buffer per sheet in memory and spills the
// rest to temporary files. Memory does not grow with the number of invoices.
//
// Amounts are the invoice's own: the per-rate groups come from TToan's
// THTTLTSuat and the totals from TgTCThue, TgTThue and TgTTTBSo, never summed
// again from the lines. Replaced and cancelled invoices are listed but left
// out of every total (the summary sheet says so).
package export
