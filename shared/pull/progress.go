package pull

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// counters are the run's live tallies, updated by many goroutines.
type counters struct {
	listed, stored, skipped, unavailable, failed, listErrors, parseErrors atomic.Int64
	retries, rateLimited                                                  atomic.Int64
}

// Summary is the outcome of a run.
type Summary struct {
	Listed      int     // distinct invoices the lists returned
	Stored      int     // XML written by this run
	Skipped     int     // XML already on disk from an earlier run
	Unavailable int     // the portal has no original XML (no dossier): permanent
	Failed      int     // download or write failed after retries
	ListErrors  int     // list windows or rows that could not be read
	ParseErrors int     // XML stored but the parser rejected it (no .json)
	Retries     int     // calls repeated after a retryable error
	RateLimited int     // 429 or firewall answers seen
	Logins      int     // logins performed (1 + re-logins)
	Rate        float64 // the account's request rate at the end (per second)
	LowestRate  float64 // the lowest it went
	Elapsed     time.Duration
}

// OK reports whether nothing failed: every listed invoice is stored,
// skipped or known to be unavailable, and every list could be read.
func (s Summary) OK() bool { return s.Failed == 0 && s.ListErrors == 0 }

// String is the one-line summary printed at the end of a run.
func (s Summary) String() string {
	return fmt.Sprintf("listed %d, stored %d, skipped %d, unavailable %d, failed %d, list errors %d, parse errors %d"+
		" (%d retries, %d rate-limited, %d logins, request rate %.2f/s, lowest %.2f/s) in %s, %.1f invoices/s",
		s.Listed, s.Stored, s.Skipped, s.Unavailable, s.Failed, s.ListErrors, s.ParseErrors,
		s.Retries, s.RateLimited, s.Logins, s.Rate, s.LowestRate, s.Elapsed.Round(time.Millisecond), s.rate())
}

func (s Summary) rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Stored+s.Skipped+s.Unavailable+s.Failed) / s.Elapsed.Seconds()
}

func (c *counters) summary(elapsed time.Duration, logins int) Summary {
	return Summary{
		Listed: int(c.listed.Load()), Stored: int(c.stored.Load()), Skipped: int(c.skipped.Load()),
		Unavailable: int(c.unavailable.Load()), Failed: int(c.failed.Load()),
		ListErrors: int(c.listErrors.Load()), ParseErrors: int(c.parseErrors.Load()),
		Retries: int(c.retries.Load()), RateLimited: int(c.rateLimited.Load()),
		Logins: logins, Elapsed: elapsed,
	}
}

// reportProgress prints a line every interval until stop is closed; done is
// closed when it has returned.
func reportProgress(w io.Writer, every time.Duration, c *counters, start time.Time, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	if w == nil || every <= 0 {
		<-stop
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	last := ""
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			s := c.summary(time.Since(start), 0)
			counts := fmt.Sprintf("pull: listed %d | stored %d skipped %d unavailable %d failed %d",
				s.Listed, s.Stored, s.Skipped, s.Unavailable, s.Failed)
			if counts != last {
				fmt.Fprintf(w, "%s | %.1f/s\n", counts, s.rate())
				last = counts
			}
		}
	}
}
