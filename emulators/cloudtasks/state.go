package cloudtasks

import (
	"container/heap"
	"time"

	"cloud.google.com/go/cloudtasks/apiv2/cloudtaskspb"
	"google.golang.org/protobuf/proto"
)

// queue is one queue's configuration and tasks. All fields are guarded by Server.mu.
type queue struct {
	pb         *cloudtaskspb.Queue // effective config (defaults filled), state, purge time
	tasks      map[string]*task    // live tasks by full name
	pending    taskHeap            // tasks waiting for their schedule time, earliest first
	tombstones map[string]time.Time
	inflight   int
	bucket     bucket
	kick       chan struct{} // wakes the scheduler; capacity 1
	stop       chan struct{} // closed when the queue is deleted or the server closes
	deleted    bool
	seq        uint64
}

func newQueue(pb *cloudtaskspb.Queue, now time.Time) *queue {
	rl := pb.GetRateLimits()
	return &queue{
		pb:         pb,
		tasks:      map[string]*task{},
		tombstones: map[string]time.Time{},
		bucket:     newBucket(rl.GetMaxDispatchesPerSecond(), rl.GetMaxBurstSize(), now),
		kick:       make(chan struct{}, 1),
		stop:       make(chan struct{}),
	}
}

// wake nudges the scheduler without blocking.
func (q *queue) wake() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

func (q *queue) running() bool { return q.pb.GetState() == cloudtaskspb.Queue_RUNNING }

// task is one live task. pb holds the stored task (FULL view); pb.ScheduleTime is the time of
// the next attempt and pb's counters and attempts are kept current.
type task struct {
	pb           *cloudtaskspb.Task
	due          time.Time
	seq          uint64
	index        int // position in queue.pending, -1 when not pending
	running      int // attempts in flight
	execCount    int32
	prevResponse int32  // HTTP status of the previous attempt, 0 when it got none
	retryReason  string // why the previous attempt failed
	enc          []byte // cached protojson of pb for snapshots; nil when pb changed
}

// view returns a copy of the task in the requested response view. For HTTP tasks the
// documented BASIC view omits nothing (it only drops App Engine bodies, unsupported here).
func (t *task) view(v cloudtaskspb.Task_View) *cloudtaskspb.Task {
	out := proto.Clone(t.pb).(*cloudtaskspb.Task)
	if v == cloudtaskspb.Task_VIEW_UNSPECIFIED {
		v = cloudtaskspb.Task_BASIC
	}
	out.View = v
	return out
}

// push queues t for its due time.
func (q *queue) push(t *task) {
	q.seq++
	t.seq = q.seq
	heap.Push(&q.pending, t)
}

// unqueue removes t from the pending heap if it is there.
func (q *queue) unqueue(t *task) {
	if t.index >= 0 {
		heap.Remove(&q.pending, t.index)
	}
}

// remove deletes t from the queue and leaves a tombstone so its name cannot be reused
// until ttl has passed (ttl < 0 disables tombstones).
func (q *queue) remove(t *task, ttl time.Duration, now time.Time) {
	q.unqueue(t)
	delete(q.tasks, t.pb.GetName())
	if ttl > 0 {
		q.tombstones[t.pb.GetName()] = now.Add(ttl)
	}
}

// taken reports whether a task name is in use or tombstoned.
func (q *queue) taken(name string, now time.Time) bool {
	if _, ok := q.tasks[name]; ok {
		return true
	}
	exp, ok := q.tombstones[name]
	if ok && !now.Before(exp) {
		delete(q.tombstones, name)
		return false
	}
	return ok
}

// pruneTombstones drops expired tombstones.
func (q *queue) pruneTombstones(now time.Time) {
	for name, exp := range q.tombstones {
		if !now.Before(exp) {
			delete(q.tombstones, name)
		}
	}
}

// taskHeap orders pending tasks by due time, then by insertion.
type taskHeap []*task

func (h taskHeap) Len() int { return len(h) }
func (h taskHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h taskHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *taskHeap) Push(x any) {
	t := x.(*task)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *taskHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
