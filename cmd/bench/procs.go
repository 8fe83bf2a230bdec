package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"time"
)

// proc is one child process: a standalone emulator, the server or the
// baseline. Its stdout and stderr go to a log file, which is also where
// readiness lines are looked for.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	logFile *os.File
	done    chan struct{} // closed when the process has exited
	waitErr error
}

// procs is every child of one scenario; stopAll ends them in reverse order.
type procs struct {
	mu   sync.Mutex
	list []*proc
}

// start launches bin with args and env (added to this process's
// environment), logging to dir/name.log. The child gets its own process
// group, so stopping it reaches its own children (the Firestore JVM), and a
// parent-death signal, so a killed bench leaves nothing behind.
func (ps *procs) start(dir, name, bin string, args, env []string) (*proc, error) {
	logPath := filepath.Join(dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, logFile: f, done: make(chan struct{})}
	go func() {
		p.waitErr = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	ps.mu.Lock()
	ps.list = append(ps.list, p)
	ps.mu.Unlock()
	return p, nil
}

// pid is the child's process id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// await polls the log until re matches and returns the first submatch (or
// the whole match). It fails early when the process exits.
func (p *proc) await(ctx context.Context, re *regexp.Regexp, within time.Duration) (string, error) {
	deadline := time.Now().Add(within)
	for {
		b, _ := os.ReadFile(p.logPath)
		if m := re.FindSubmatch(b); m != nil {
			return string(m[len(m)-1]), nil
		}
		if p.exited() {
			return "", fmt.Errorf("%s exited before it was ready (%v); see %s:\n%s", p.name, p.waitErr, p.logPath, tail(b, 800))
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("%s not ready within %s; see %s", p.name, within, p.logPath)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func tail(b []byte, n int) string {
	b = bytes.TrimSpace(b)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// stop asks the process group to end (SIGTERM) and kills it after grace.
func (p *proc) stop(grace time.Duration) error {
	if p.exited() {
		return nil
	}
	pgid := -p.pid()
	_ = syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(pgid, syscall.SIGKILL)
		<-p.done
		return fmt.Errorf("%s: killed after %s without exiting", p.name, grace)
	}
	// The group may hold children that outlived the leader.
	_ = syscall.Kill(pgid, syscall.SIGKILL)
	return nil
}

// stopAll stops every process, newest first.
func (ps *procs) stopAll() error {
	ps.mu.Lock()
	list := ps.list
	ps.list = nil
	ps.mu.Unlock()
	var errs []error
	for i := len(list) - 1; i >= 0; i-- {
		if err := list[i].stop(20 * time.Second); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
