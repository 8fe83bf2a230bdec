package cloudtasks_test

import (
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	tasksapi "cloud.google.com/go/cloudtasks/apiv2"
	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	emu "github.com/hoadon/hoadon/emulators/cloudtasks"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// cpuTime is the process's user+system CPU time so far.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// fill creates perQueue tasks in each queue from 8 client goroutines.
func fill(t *testing.T, c *tasksapi.Client, queues []string, perQueue int, mk func(q string) *cloudtaskspb.Task) {
	t.Helper()
	work := make(chan string)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range work {
				if _, err := c.CreateTask(t.Context(), &cloudtaskspb.CreateTaskRequest{Parent: q, Task: mk(q)}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for range perQueue {
		for _, q := range queues {
			work <- q
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatalf("CreateTask: %v", err)
	default:
	}
}

func TestManyQueuesIdleAndThroughput(t *testing.T) {
	// Not parallel: it measures the process's CPU time.
	const nQueues, perQueue = 100, 20
	tg := newTarget(t, nil)
	_, c := startEmu(t, emu.Options{})
	var idle, busy []string
	for i := range nQueues {
		idle = append(idle, createQueue(t, c, fmt.Sprintf("idle-%03d", i), nil, nil))
		busy = append(busy, createQueue(t, c, fmt.Sprintf("busy-%03d", i),
			&cloudtaskspb.RateLimits{MaxDispatchesPerSecond: 100, MaxConcurrentDispatches: 5}, nil))
	}
	later := timestamppb.New(time.Now().Add(time.Hour))
	fill(t, c, idle, perQueue, func(q string) *cloudtaskspb.Task {
		tk := httpTask(q, "", tg.srv.URL)
		tk.ScheduleTime = later
		return tk
	})

	// 2000 future tasks in 100 queues: the schedulers must sleep, not poll.
	before := cpuTime(t)
	time.Sleep(500 * time.Millisecond) // the measurement window, not synchronisation
	if used := cpuTime(t) - before; used > 50*time.Millisecond {
		t.Errorf("idle emulator with %d pending tasks used %v CPU in 500ms", nQueues*perQueue, used)
	} else {
		t.Logf("idle: %d queues, %d future tasks: %v CPU in 500ms", nQueues, nQueues*perQueue, used)
	}

	before, start := cpuTime(t), time.Now()
	fill(t, c, busy, perQueue, func(q string) *cloudtaskspb.Task { return httpTask(q, "", tg.srv.URL) })
	waitFor(t, 60*time.Second, "all tasks dispatched", func() bool { return tg.count() == nQueues*perQueue })
	t.Logf("throughput: %d tasks over %d queues created and dispatched in %v using %v CPU (test client, gRPC and target included)",
		nQueues*perQueue, nQueues, time.Since(start).Round(time.Millisecond), (cpuTime(t) - before).Round(time.Millisecond))
	if peak := tg.peak(); peak > nQueues*5 {
		t.Errorf("peak concurrency %d exceeds %d queues × 5", peak, nQueues)
	}
}
