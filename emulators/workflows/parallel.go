package workflows

import (
	"strconv"
	"sync"
)

// maxConcurrentBranches caps how many branches or iterations of one parallel step run at once
// (the documented per-execution concurrency); further ones wait in a queue.
const maxConcurrentBranches = 20

// branchTask is one branch or one iteration of a parallel step.
type branchTask struct {
	id  string
	run func(bsc *scope) (*flow, error)
	// prepare declares iteration variables in the branch scope.
	prepare func(bsc *scope) error
}

type branchFailure struct {
	id string
	rs *Raised
}

func (r *runner) runParallel(sc *scope, p *parallelStep) error {
	if r.parDepth+1 > maxParallelDepth {
		// reached only through subworkflow calls; direct nesting is rejected at load time
		return newErr(tagParallelNesting, "parallel steps can be nested at most %d deep", maxParallelDepth)
	}
	inner := &runner{ex: r.ex, routine: r.routine, depth: r.depth, parDepth: r.parDepth + 1}
	limit, err := r.concurrencyLimit(sc, p)
	if err != nil {
		return err
	}
	tasks, err := inner.parallelTasks(sc, p)
	if err != nil {
		return err
	}
	shared := map[string]bool{}
	for _, n := range p.shared {
		shared[n] = true
	}
	failures, err := inner.runTasks(sc, shared, tasks, limit)
	if err != nil {
		return err
	}
	if len(failures) == 0 {
		return nil
	}
	return unhandledBranches(failures)
}

func (r *runner) concurrencyLimit(sc *scope, p *parallelStep) (int, error) {
	if p.limit == nil {
		return maxConcurrentBranches, nil
	}
	v, err := r.evalLocked(sc, p.limit)
	if err != nil {
		return 0, err
	}
	n, ok := v.(int64)
	if !ok || n < 1 {
		return 0, newErr(tagValue, "concurrency_limit must be a positive integer, got %s", valueString(v))
	}
	return int(min(n, maxConcurrentBranches)), nil
}

func (r *runner) parallelTasks(sc *scope, p *parallelStep) ([]branchTask, error) {
	var tasks []branchTask
	for _, b := range p.branches {
		tasks = append(tasks, branchTask{id: b.name, run: func(bsc *scope) (*flow, error) {
			return r.runSteps(bsc, b.steps)
		}})
	}
	if f := p.loop; f != nil {
		items, err := r.forItems(sc, f)
		if err != nil {
			return nil, err
		}
		for i, item := range items {
			tasks = append(tasks, branchTask{
				id: strconv.Itoa(i),
				prepare: func(bsc *scope) error {
					if err := r.ex.declare(bsc, f.value, deepCopy(item)); err != nil || f.index == "" {
						return err
					}
					return r.ex.declare(bsc, f.index, int64(i))
				},
				run: func(bsc *scope) (*flow, error) { return r.runSteps(bsc, f.steps) },
			})
		}
	}
	return tasks, nil
}

// runTasks runs tasks with at most limit at once; every task runs to completion even when
// others fail (exception_policy continueAll). It returns the branches' unhandled exceptions;
// a cancellation or internal error is returned as err.
func (r *runner) runTasks(sc *scope, shared map[string]bool, tasks []branchTask, limit int) ([]branchFailure, error) {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures = make([]*branchFailure, len(tasks))
		fatal    error
		sem      = make(chan struct{}, limit)
	)
	for i, t := range tasks {
		select {
		case sem <- struct{}{}:
		case <-r.ex.ctx.Done():
			wg.Wait()
			return nil, errCancelled
		}
		wg.Add(1)
		go func(i int, t branchTask) {
			defer func() { <-sem; wg.Done() }()
			err := r.runBranch(sc, shared, t)
			if err == nil {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if rs, ok := asRaised(err); ok {
				failures[i] = &branchFailure{id: t.id, rs: rs}
			} else if fatal == nil {
				fatal = err
			}
		}(i, t)
	}
	wg.Wait()
	if fatal != nil {
		return nil, fatal
	}
	var out []branchFailure
	for _, f := range failures {
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}

func (r *runner) runBranch(sc *scope, shared map[string]bool, t branchTask) (err error) {
	defer recoverInto(&err)
	bsc := newScope(sc)
	bsc.shared = shared
	defer func() { r.ex.mu.Lock(); r.ex.release(bsc); r.ex.mu.Unlock() }()
	if t.prepare != nil {
		r.ex.mu.Lock()
		err := t.prepare(bsc)
		r.ex.mu.Unlock()
		if err != nil {
			return err
		}
	}
	_, err = t.run(bsc) // end or continue simply finish the branch or iteration
	return err
}

// unhandledBranches is the error a parallel step raises after all branches finished when some
// of them ended with an unhandled exception.
func unhandledBranches(failures []branchFailure) *Raised {
	var list []any
	for _, f := range failures {
		payload, _ := toJSON(f.rs.Value, "")
		list = append(list, map[string]any{
			"id":    f.id,
			"error": map[string]any{"payload": string(payload), "context": errorContext(f.rs)},
		})
	}
	return &Raised{Value: map[string]any{
		"tags":     []any{tagUnhandledBranch},
		"message":  "UnhandledBranchError: One or more branches or iterations encountered an unhandled runtime error",
		"branches": list,
	}}
}
