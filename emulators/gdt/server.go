package gdt

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is a simulator listening on real sockets: the current layout
// (and the legacy one) on Options.Addr, optionally the legacy layout on
// Options.LegacyAddr too.
type Server struct {
	*Simulator
	servers []*http.Server
	base    string
	legacy  string
}

// Start creates a simulator and serves it. Close it when done.
func Start(opts Options) (*Server, error) {
	sim, err := New(opts)
	if err != nil {
		return nil, fmt.Errorf("gdt.Start: %w", err)
	}
	srv := &Server{Simulator: sim}
	ln, err := net.Listen("tcp", sim.opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("gdt.Start: listen %s: %w", sim.opts.Addr, err)
	}
	srv.base = "http://" + ln.Addr().String()
	srv.legacy = srv.base
	srv.serve(ln)
	if opts.LegacyAddr != "" {
		lln, err := net.Listen("tcp", opts.LegacyAddr)
		if err != nil {
			_ = srv.Close()
			return nil, fmt.Errorf("gdt.Start: listen legacy %s: %w", opts.LegacyAddr, err)
		}
		srv.legacy = "http://" + lln.Addr().String()
		srv.serve(lln)
	}
	return srv, nil
}

func (s *Server) serve(ln net.Listener) {
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.servers = append(s.servers, hs)
	go func() { _ = hs.Serve(ln) }()
}

// URL is the base of the current layout, with the /api prefix, e.g.
// http://127.0.0.1:PORT/api.
func (s *Server) URL() string { return s.base + "/api" }

// LegacyURL is the base of the legacy layout (no /api prefix): the legacy
// listener when LegacyAddr was set, else the main one.
func (s *Server) LegacyURL() string { return s.legacy }

// SimURL is where the /_sim/ ground-truth endpoints live.
func (s *Server) SimURL() string { return s.base + "/_sim" }

// Close stops every listener and drops open connections.
func (s *Server) Close() error {
	var errs []error
	for _, hs := range s.servers {
		if err := hs.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
