package workflows

import (
	"context"
	"sync/atomic"
	"time"
)

// clock runs sys.sleep and retry backoffs. Tests scale it (TimeScale 0.001 makes a 10 s sleep
// take 10 ms). sys.now adds the time a scaled sleep skipped, so a workflow that measures its
// own sleeps sees the documented durations (concurrent sleeps in parallel branches each add
// their skipped time: an approximation).
type clock struct {
	scale   float64
	sleep   func(ctx context.Context, d time.Duration) error
	skipped atomic.Int64 // nanoseconds of workflow time not actually waited
}

func newClock(scale float64, sleep func(context.Context, time.Duration) error) *clock {
	if scale <= 0 {
		scale = 1
	}
	return &clock{scale: scale, sleep: sleep}
}

// Sleep waits for the given number of workflow seconds, or until ctx ends.
func (c *clock) Sleep(ctx context.Context, seconds float64) error {
	full := time.Duration(seconds * float64(time.Second))
	d := time.Duration(float64(full) * c.scale)
	if err := c.wait(ctx, d); err != nil {
		return err
	}
	c.skipped.Add(int64(full - d))
	return nil
}

func (c *clock) wait(ctx context.Context, d time.Duration) error {
	if c.sleep != nil {
		if err := c.sleep(ctx, d); err != nil {
			if ctx.Err() != nil {
				return errCancelled
			}
			return err
		}
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return errCancelled
	}
}

// Now is the workflow's view of the current time.
func (c *clock) Now() time.Time {
	return time.Now().Add(time.Duration(c.skipped.Load()))
}
