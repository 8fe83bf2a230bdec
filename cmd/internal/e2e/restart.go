package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/hoadon/hoadon/emulators/cloudtasks"
	"github.com/hoadon/hoadon/emulators/oidc"
)

// ownTasks is a Cloud Tasks emulator the harness can restart: its queues,
// pending tasks and tombstones survive in a state file.
type ownTasks struct {
	addr, stateFile string
	issuer          *oidc.Issuer
	srv             *cloudtasks.Server
}

func startTasks(stateFile string, issuer *oidc.Issuer) (*ownTasks, error) {
	t := &ownTasks{addr: "127.0.0.1:0", stateFile: stateFile, issuer: issuer}
	if err := t.start(); err != nil {
		return nil, err
	}
	t.addr = t.srv.Addr()
	return t, nil
}

func (t *ownTasks) start() error {
	srv, err := cloudtasks.Start(cloudtasks.Options{
		Addr: t.addr, Issuer: t.issuer, StateFile: t.stateFile, SnapshotInterval: 200 * time.Millisecond,
	})
	if err != nil {
		return fmt.Errorf("e2e: cloud tasks: %w", err)
	}
	t.srv = srv
	return nil
}

func (t *ownTasks) close() error {
	if t.srv == nil {
		return nil
	}
	err := t.srv.Close()
	t.srv = nil
	return err
}

// Tasks returns the Cloud Tasks emulator the server uses.
func (h *Harness) Tasks() *cloudtasks.Server {
	if h.tasks != nil {
		return h.tasks.srv
	}
	return h.Stack.Tasks()
}

// RestartTasks stops the harness's own Cloud Tasks emulator (dispatches in
// flight are cut off and stay pending), then starts it again on the same
// address from its state file. It needs Options.TasksStateFile.
func (h *Harness) RestartTasks() error {
	if h.tasks == nil {
		return errors.New("e2e.RestartTasks: the harness was started without TasksStateFile")
	}
	if err := h.tasks.close(); err != nil {
		return fmt.Errorf("e2e.RestartTasks: %w", err)
	}
	return retryListen(func() error { return h.tasks.start() })
}

// StopServer stops the server abruptly. A subprocess server (Options.Subprocess)
// is killed with SIGKILL: requests in flight die with it, and so does its
// App. An in-process server has its listener and every open connection
// closed with no draining; handlers already running see their request
// context cancelled, and the process-wide App survives.
func (h *Harness) StopServer() error {
	if h.child != nil {
		return h.child.kill()
	}
	h.srvMu.Lock()
	defer h.srvMu.Unlock()
	if h.srv == nil {
		return nil
	}
	err := h.srv.Close()
	h.srv = nil
	return err
}

// StartServer serves again on the address of the stopped server: a new
// process with Options.Subprocess, once it answers /health.
func (h *Harness) StartServer() error {
	if h.child != nil {
		return retryListen(h.child.start)
	}
	return retryListen(func() error {
		lis, err := net.Listen("tcp", h.addr)
		if err != nil {
			return err
		}
		h.serve(lis)
		return nil
	})
}

// startChild builds cmd/server and runs it on the harness's address.
func (h *Harness) startChild(ctx context.Context, root string) error {
	c, err := buildServer(ctx, root)
	if err != nil {
		return err
	}
	c.addr, c.out = h.addr, h.logs
	h.child = c
	return retryListen(c.start)
}

// retryListen retries start while its port is still being released.
func retryListen(start func() error) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := start()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
