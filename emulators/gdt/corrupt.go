package gdt

import "sync"

// corruptLog remembers the invoices whose export-xml answer was corrupted
// on purpose, so a fault test knows exactly which invoices a client could
// not have stored.
type corruptLog struct {
	mu   sync.Mutex
	list []Truth
}

func (c *corruptLog) add(t Truth) {
	c.mu.Lock()
	c.list = append(c.list, t)
	c.mu.Unlock()
}

// Corrupted lists, in serving order, the invoice of every export-xml answer
// sent corrupt (CorruptZipShare or CorruptXMLShare); an invoice served
// corrupt twice is listed twice.
func (s *Simulator) Corrupted() []Truth {
	s.corrupted.mu.Lock()
	defer s.corrupted.mu.Unlock()
	return append([]Truth(nil), s.corrupted.list...)
}
