package firestore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// stopGrace is how long Close waits after SIGTERM before it sends SIGKILL.
var stopGrace = 5 * time.Second

// maxPortAttempts bounds the retries when a picked free port was taken before the JVM bound it.
const maxPortAttempts = 3

// mainClass is the emulator's entry point inside the jar.
const mainClass = "com.google.cloud.datastore.emulator.firestore.CloudFirestore"

// Emulator is a running Firestore emulator JVM. Close it when done.
type Emulator struct {
	host string // host:port the emulator listens on
	cmd  *exec.Cmd
	out  *outputWatcher

	exited  chan struct{} // closed once the JVM has been reaped
	waitErr error         // cmd.Wait's result, valid after exited is closed

	closeOnce sync.Once
	closeErr  error
}

// Start launches the emulator and returns once it is ready to serve requests. ctx bounds the
// start-up only (cancelling it later does not stop the emulator; Close does). On any error
// the JVM has already been stopped.
func Start(ctx context.Context, opts Options) (*Emulator, error) {
	r, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		e, err := launch(ctx, r)
		if err == nil {
			return e, nil
		}
		if !r.autoPort || attempt >= maxPortAttempts || !errors.Is(err, errPortTaken) {
			return nil, err
		}
		if r.port, err = freePort(r.host); err != nil {
			return nil, err
		}
	}
}

// errPortTaken marks a start that failed because the port was already bound.
var errPortTaken = errors.New("port already in use")

func launch(ctx context.Context, r resolved) (*Emulator, error) {
	host := net.JoinHostPort(r.host, strconv.Itoa(r.port))
	args := append([]string{"-Duser.language=en"}, r.jvmArgs...)
	args = append(args, "-cp", r.jar, mainClass, "--host="+r.host, "--port="+strconv.Itoa(r.port))
	if r.importing != "" {
		args = append(args, "--import-data="+r.importing)
	}
	cmd := exec.Command(r.java, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	setProcessGroup(cmd.SysProcAttr)
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("firestore emulator: output pipe: %w", err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	e := &Emulator{host: host, cmd: cmd, exited: make(chan struct{})}
	if err := startOnPinnedThread(cmd, e.exited); err != nil {
		pr.Close()
		pw.Close()
		return nil, fmt.Errorf("firestore emulator: start %s: %w", r.java, err)
	}
	pw.Close() // the JVM holds the only write end now, so EOF means it has gone
	e.out = watchOutput(pr, r.stdout)
	go e.reap()
	if err := e.awaitReady(ctx, r.timeout); err != nil {
		_ = e.Close()
		return nil, err
	}
	return e, nil
}

// startOnPinnedThread starts cmd from a goroutine locked to its OS thread and keeps that thread
// alive until exited is closed. Linux sends the parent-death signal when the *thread* that
// forked the child ends (go.dev/issue/27505), so the JVM must not be started from a thread the
// runtime might retire while the emulator is still wanted.
func startOnPinnedThread(cmd *exec.Cmd, exited <-chan struct{}) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := cmd.Start()
		errc <- err
		if err == nil {
			<-exited
		}
	}()
	return <-errc
}

func (e *Emulator) reap() {
	e.waitErr = e.cmd.Wait()
	close(e.exited)
}

func (e *Emulator) awaitReady(ctx context.Context, timeout time.Duration) error {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-e.out.ready:
		return nil
	case <-e.exited:
		<-e.out.done // the whole output, so the error can quote it
		tail := e.out.Tail()
		err := fmt.Errorf("firestore emulator: exited before ready (%v); output:\n%s", e.waitErr, tail)
		if strings.Contains(tail, "BindException") || strings.Contains(tail, "Address already in use") {
			err = fmt.Errorf("%w: %w", errPortTaken, err)
		}
		return err
	case <-timer.C:
		return fmt.Errorf("firestore emulator: not ready after %s; output:\n%s", timeout, e.out.Tail())
	case <-ctx.Done():
		return fmt.Errorf("firestore emulator: start: %w", ctx.Err())
	}
}

// Host returns host:port of the emulator, the value for FIRESTORE_EMULATOR_HOST.
func (e *Emulator) Host() string { return e.host }

// Close stops the JVM and its process group: SIGTERM, then SIGKILL if it has not exited
// within a grace period. It returns once the process is reaped and its output drained, so the
// port is free afterwards. Close is idempotent.
func (e *Emulator) Close() error {
	e.closeOnce.Do(func() { e.closeErr = e.stop() })
	return e.closeErr
}

func (e *Emulator) stop() error {
	pid := e.cmd.Process.Pid
	select {
	case <-e.exited:
	default:
		if err := signalGroup(pid, syscall.SIGTERM); err != nil {
			return fmt.Errorf("firestore emulator: stop: %w", err)
		}
		select {
		case <-e.exited:
		case <-time.After(stopGrace):
			if err := signalGroup(pid, syscall.SIGKILL); err != nil {
				return fmt.Errorf("firestore emulator: kill: %w", err)
			}
			<-e.exited
		}
	}
	// Output reaches EOF when every process holding the pipe is gone; a straggler left in the
	// group (the JVM forks none today) is killed rather than waited for forever.
	select {
	case <-e.out.done:
	case <-time.After(stopGrace):
		_ = signalGroup(pid, syscall.SIGKILL)
		<-e.out.done
	}
	return nil
}
