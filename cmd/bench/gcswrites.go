package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"cloud.google.com/go/storage"

	"github.com/hoadon/hoadon/emulators/gcs"
)

// runGCSWrites measures what one write-if-absent costs the GCS stand-in as its bucket grows:
// for each backend it fills one bucket over HTTP to every size in -sizes and, at each size,
// times -writes more writes of new objects one after another (the pipeline's call: the
// storage client's write with DoesNotExist). Client and fake run in this process, so the CPU
// figure includes the client's share, which is the same for both backends.
//
//	bench gcs-writes -sizes 1000,10000,100000 -backends file,memory
func runGCSWrites(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("bench gcs-writes", flag.ContinueOnError)
	sizes := fs.String("sizes", "1000,10000,100000", "bucket sizes (objects) at which to measure, ascending")
	backends := fs.String("backends", "file,memory", "fake-gcs-server backends: file (tmpfs directory), memory")
	writes := fs.Int("writes", 300, "timed writes at each size")
	fill := fs.Int("fill-workers", 4, "parallel writers while filling")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || (len(ns) > 0 && n < ns[len(ns)-1]) {
			return fmt.Errorf("-sizes: %q is not an ascending list of counts", *sizes)
		}
		ns = append(ns, n)
	}
	if *writes < 1 || *fill < 1 {
		return errors.New("-writes and -fill-workers must be ≥ 1")
	}
	fmt.Fprintln(w, "backend\tobjects\twall µs/write\tCPU µs/write\tfill s")
	for _, b := range strings.Split(*backends, ",") {
		if b != "file" && b != "memory" {
			return fmt.Errorf("-backends: unknown backend %q", b)
		}
		if err := gcsWriteSeries(ctx, w, b == "memory", ns, *writes, *fill); err != nil {
			return fmt.Errorf("%s: %w", b, err)
		}
	}
	return nil
}

// gcsWriteSeries is one backend's row per size.
func gcsWriteSeries(ctx context.Context, w io.Writer, memory bool, sizes []int, writes, fill int) error {
	const bkt = "write-cost"
	s, err := gcs.Start(gcs.Options{Buckets: []string{bkt}, Memory: memory})
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := s.Client(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	b := c.Bucket(bkt)
	name := map[bool]string{true: "memory", false: "file"}[memory]
	var next atomic.Int64 // object names are numbered; every write is of a new object
	have := 0
	for _, n := range sizes {
		start := time.Now()
		if err := fillBucket(ctx, b, &next, n-have, fill); err != nil {
			return err
		}
		filled := time.Since(start)
		cpu0, t0 := processCPU(), time.Now()
		if err := fillBucket(ctx, b, &next, writes, 1); err != nil {
			return err
		}
		wall, cpu := time.Since(t0), processCPU()-cpu0
		have = n + writes
		fmt.Fprintf(w, "%s\t%d\t%.0f\t%.0f\t%.1f\n", name, n, float64(wall.Microseconds())/float64(writes),
			float64(cpu.Microseconds())/float64(writes), filled.Seconds())
	}
	return nil
}

// fillBucket writes n new ~3 KB objects (the size of an invoice's XML) with workers writers.
func fillBucket(ctx context.Context, b *storage.BucketHandle, next *atomic.Int64, n, workers int) error {
	body := strings.Repeat("<HDon>x</HDon>", 220)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	var left atomic.Int64
	left.Store(int64(n))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				obj := b.Object(fmt.Sprintf("tenants/default/invoices/0100000000/in/2026/09/%09d.xml", next.Add(1)))
				ow := obj.If(storage.Conditions{DoesNotExist: true}).NewWriter(ctx)
				ow.ContentType = "application/xml"
				ow.ChunkSize = 0 // one request, as shared/blob writes an invoice file
				_, _ = io.WriteString(ow, body)
				if err := ow.Close(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// processCPU is this process's user+system time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
