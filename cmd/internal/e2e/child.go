package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// child runs cmd/server as a separate process on a fixed address, so a
// test can kill it with SIGKILL — nothing of it survives, not even its
// App — and start a fresh one on the same port.
type child struct {
	bin, dir, addr string
	out            io.Writer
	cmd            *exec.Cmd
	exited         chan struct{}
}

// buildServer compiles cmd/server into a new temporary directory.
func buildServer(ctx context.Context, root string) (*child, error) {
	dir, err := os.MkdirTemp("", "hoadon-e2e-server-")
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "server")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/server")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("e2e: go build ./cmd/server: %w\n%s", err, out)
	}
	return &child{bin: bin, dir: dir}, nil
}

// start launches the server with the process environment (which the
// harness has set) on c.addr and waits until it answers /health.
func (c *child) start() error {
	_, port, _ := net.SplitHostPort(c.addr)
	cmd := exec.Command(c.bin)
	cmd.Env = append(os.Environ(), "PORT="+port, "LOCAL_ONLY=true")
	cmd.Stdout = c.out
	if os.Getenv("HOADON_E2E_LOGS") == "1" {
		cmd.Stderr = os.Stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{}
	setParentDeathSignal(cmd.SysProcAttr)
	c.exited = make(chan struct{})
	if err := startPinned(cmd, c.exited); err != nil {
		return fmt.Errorf("e2e: starting the server: %w", err)
	}
	c.cmd = cmd
	go func() { cmd.Wait(); close(c.exited) }()
	return c.healthy(30 * time.Second)
}

// healthy polls /health until the server answers or the process exits.
func (c *child) healthy(within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get("http://" + c.addr + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-c.exited:
			return fmt.Errorf("e2e: the server exited at start-up (%v)", c.cmd.ProcessState)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("e2e: the server did not answer /health within %s", within)
		}
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill() error {
	if c.cmd == nil {
		return nil
	}
	err := c.cmd.Process.Kill()
	<-c.exited
	c.cmd = nil
	if err != nil && err != os.ErrProcessDone {
		return err
	}
	return nil
}

func (c *child) close() error {
	err := c.kill()
	os.RemoveAll(c.dir)
	return err
}

// startPinned starts cmd from a locked OS thread that lives until the
// process exits: the parent-death signal fires when the starting thread
// dies, not the process, and Go may retire threads.
func startPinned(cmd *exec.Cmd, exited <-chan struct{}) error {
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
