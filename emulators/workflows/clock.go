package workflows

import (
	"context"
	"time"
)

// clock runs sys.sleep and retry backoffs. Tests scale it (TimeScale 0.001 makes a 10 s sleep
// take 10 ms) so that documented delays can be checked without real minutes; sys.now follows
// the scaled time, so a workflow that measures its own sleeps sees the documented durations.
type clock struct {
	scale  float64
	sleep  func(ctx context.Context, d time.Duration) error
	origin time.Time
}

func newClock(scale float64, sleep func(context.Context, time.Duration) error) *clock {
	if scale <= 0 {
		scale = 1
	}
	return &clock{scale: scale, sleep: sleep, origin: time.Now()}
}

// Sleep waits for the given number of workflow seconds, or until ctx ends.
func (c *clock) Sleep(ctx context.Context, seconds float64) error {
	d := time.Duration(seconds * c.scale * float64(time.Second))
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
	real := time.Since(c.origin)
	return c.origin.Add(time.Duration(float64(real) / c.scale))
}
