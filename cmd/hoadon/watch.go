package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/client"
	"github.com/hoadon/hoadon/shared/hoadon"
)

func init() {
	register(command{
		words:   "watch",
		usage:   "ID [--interval 1s]" + apiUsage,
		summary: "follow an import's progress until it ends (exit 0 completed, 1 failed or cancelled)",
		run:     runWatch,
	})
}

// maxPollFailures is how many polls in a row may fail transiently (server
// restarting, a 5xx) before watch gives up.
const maxPollFailures = 5

func runWatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("watch", stderr)
	api := addAPIFlags(fs)
	interval := fs.Duration("interval", time.Second, "time between polls of the status")
	id, err := oneID(fs, args)
	if err != nil {
		return err
	}
	if *interval < 50*time.Millisecond {
		return fmt.Errorf("%w: --interval %s is below 50ms", errUsage, *interval)
	}
	c, err := api.client()
	if err != nil {
		return err
	}
	w := &watcher{out: stdout, json: api.json, tty: isTerminal(stdout), rate: rateWindow{span: 10 * time.Second}}
	st, err := w.run(ctx, c, id, *interval, stderr)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("stopped watching; import %s goes on (hoadon status %s)", id, id)
		}
		return explainID(err, c, id)
	}
	if !api.json {
		fmt.Fprintln(stdout, finalLine(st))
	}
	if st.Status != hoadon.ImportCompleted {
		if st.ErrorText() != "" {
			return fmt.Errorf("import %s %s: %s", id, st.Status, st.ErrorText())
		}
		return fmt.Errorf("import %s %s", id, st.Status)
	}
	return nil
}

// watcher renders an import's progress: on a terminal one line redrawn in
// place; otherwise (a pipe, a log, make) one line per change; with --json
// one status object per change.
type watcher struct {
	out        io.Writer
	json, tty  bool
	rate       rateWindow
	lastChange string // the counts and state last printed (non-TTY)
	drawn      bool   // a TTY line is on screen without its newline
}

// run polls until the import ends or ctx is done.
func (w *watcher) run(ctx context.Context, c *client.Client, id string, interval time.Duration, stderr io.Writer) (client.Status, error) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	failures := 0
	for {
		st, err := c.Status(ctx, id)
		switch {
		case err == nil:
			failures = 0
			if err := w.show(st, time.Now()); err != nil {
				return st, err
			}
			if st.Final() {
				w.endLine()
				return st, nil
			}
		case ctx.Err() != nil:
			w.endLine()
			return st, ctx.Err()
		case hoadon.Retryable(err) && failures < maxPollFailures:
			failures++
			w.endLine()
			fmt.Fprintf(stderr, "hoadon watch: %v (retrying)\n", err)
		default:
			w.endLine()
			return st, err
		}
		select {
		case <-ctx.Done():
			w.endLine()
			return st, ctx.Err()
		case <-tick.C:
		}
	}
}

// show renders one status.
func (w *watcher) show(st client.Status, now time.Time) error {
	w.rate.add(now, st.Done())
	change := fmt.Sprint(st.Status, st.Phase, st.Total, st.Pending, st.Counts)
	switch {
	case w.json:
		if change == w.lastChange {
			return nil
		}
		w.lastChange = change
		return writeJSON(w.out, st)
	case w.tty:
		w.drawn = true
		_, err := fmt.Fprintf(w.out, "\r%s\x1b[K", progressLine(st, w.rate.perSecond()))
		return err
	case change != w.lastChange:
		w.lastChange = change
		_, err := fmt.Fprintln(w.out, progressLine(st, w.rate.perSecond()))
		return err
	}
	return nil
}

// endLine finishes a redrawn terminal line so what follows starts clean.
func (w *watcher) endLine() {
	if w.drawn {
		fmt.Fprintln(w.out)
		w.drawn = false
	}
}

// progressLine is one line of progress:
//
//	[########------------]  40%  discovered 30  stored 11  unavailable 1  failed 0  pending 18  4.2/s  ETA 5s  (download)
func progressLine(st client.Status, rate float64) string {
	const width = 20
	done := st.Done()
	frac := 0.0
	if st.Total > 0 {
		// Counts are read apart from the total: never let a momentary
		// mismatch overflow the bar.
		frac = min(max(float64(done)/float64(st.Total), 0), 1)
	}
	n := int(frac * width)
	bar := strings.Repeat("#", n) + strings.Repeat("-", width-n)
	c := st.Counts
	return fmt.Sprintf("[%s] %3.0f%%  discovered %d  stored %d  unavailable %d  failed %d  pending %d  %s  ETA %s  (%s)",
		bar, frac*100, st.Total, c[hoadon.StatusStored], c[hoadon.StatusUnavailable], c[hoadon.StatusFailed],
		st.Pending, rateText(rate), eta(st, rate), st.Phase)
}

func rateText(rate float64) string {
	if rate <= 0 {
		return "-/s"
	}
	return fmt.Sprintf("%.1f/s", rate)
}

// eta estimates the time left from the pending invoices and the recent
// rate; unknown while nothing moves or discovery is still running.
func eta(st client.Status, rate float64) string {
	switch {
	case st.Final():
		return "0s"
	case rate <= 0 || st.Phase != "download":
		return "-"
	}
	left := time.Duration(float64(st.Pending) / rate * float64(time.Second))
	if left < time.Second {
		return "<1s"
	}
	return left.Round(time.Second).String()
}

// rateWindow measures invoices finished per second over the last span, so
// the rate follows the import's current pace rather than its average.
type rateWindow struct {
	span    time.Duration
	samples []sample
}

type sample struct {
	at   time.Time
	done int
}

func (r *rateWindow) add(at time.Time, done int) {
	r.samples = append(r.samples, sample{at, done})
	// Keep the newest sample older than the span as the window's start.
	cut := 0
	for cut+1 < len(r.samples) && at.Sub(r.samples[cut+1].at) >= r.span {
		cut++
	}
	r.samples = r.samples[cut:]
}

// perSecond is the rate over the window; 0 until two samples exist.
func (r *rateWindow) perSecond() float64 {
	if len(r.samples) < 2 {
		return 0
	}
	first, last := r.samples[0], r.samples[len(r.samples)-1]
	secs := last.at.Sub(first.at).Seconds()
	if secs <= 0 || last.done <= first.done {
		return 0
	}
	return float64(last.done-first.done) / secs
}

// isTerminal reports whether w is a character device (a terminal), where
// a line can be redrawn with \r.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
