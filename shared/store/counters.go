package store

import (
	"context"

	"cloud.google.com/go/firestore"

	"github.com/hoadon/hoadon/shared/gcp"
	"github.com/hoadon/hoadon/shared/hoadon"
)

// shardDoc is one counter shard: c[flow][status] = number of invoices.
type shardDoc struct {
	C map[string]map[string]int64 `firestore:"c"`
}

// deltas collects counter changes of one transaction per shard, because a
// commit may write each document once.
type deltas map[*firestore.DocumentRef]map[string]map[string]int64

func (d deltas) add(ref *firestore.DocumentRef, f hoadon.Flow, st hoadon.InvoiceStatus, n int64) {
	// Refs are compared by path: reuse an equal one.
	for r := range d {
		if r.Path == ref.Path {
			ref = r
			break
		}
	}
	if d[ref] == nil {
		d[ref] = map[string]map[string]int64{}
	}
	if d[ref][string(f)] == nil {
		d[ref][string(f)] = map[string]int64{}
	}
	d[ref][string(f)][string(st)] += n
}

// move records an invoice leaving one status for another.
func (s *Store) move(d deltas, inv hoadon.Invoice, from, to hoadon.InvoiceStatus) {
	ref := s.shardRef(inv.ImportID, inv.ID)
	if from != "" {
		d.add(ref, inv.Flow, from, -1)
	}
	d.add(ref, inv.Flow, to, 1)
}

// write applies the collected deltas as increments.
func (d deltas) write(tx *firestore.Transaction) error {
	for ref, flows := range d {
		c := map[string]any{}
		for f, sts := range flows {
			m := map[string]any{}
			for st, n := range sts {
				if n != 0 {
					m[st] = firestore.Increment(n)
				}
			}
			if len(m) > 0 {
				c[f] = m
			}
		}
		if len(c) == 0 {
			continue
		}
		if err := tx.Set(ref, map[string]any{"c": c}, firestore.MergeAll); err != nil {
			return err
		}
	}
	return nil
}

// Counts sums the counter shards of an import: one batched read of the
// shards by key (their names are deterministic), whatever the import's size
// and whatever else the database holds.
func (s *Store) Counts(ctx context.Context, importID string) (hoadon.Counts, error) {
	refs := make([]*firestore.DocumentRef, s.shards)
	for i := range refs {
		refs[i] = s.shardRefN(importID, i)
	}
	snaps, err := s.fs.GetAll(ctx, refs)
	if err != nil {
		return hoadon.Counts{}, gcp.Classify("store.Counts", err)
	}
	c := hoadon.NewCounts()
	for _, snap := range snaps {
		if !snap.Exists() {
			continue
		}
		var d shardDoc
		if err := snap.DataTo(&d); err != nil {
			return hoadon.Counts{}, gcp.Classify("store.Counts", err)
		}
		for f, sts := range d.C {
			for st, n := range sts {
				c.Add(hoadon.Flow(f), hoadon.InvoiceStatus(st), int(n))
			}
		}
	}
	return c, nil
}
