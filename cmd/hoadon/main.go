// Command hoadon is the command-line tool: direct pulls from the portal
// without any cloud (pull), offline helpers (captcha solve, xml parse) and
// the client of the task API (start, status, watch, ...).
//
// Each subcommand lives in its own file and registers itself in init, so
// adding one touches nothing else.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// command is one subcommand. Run gets the arguments after the command's
// words and writes its normal output to stdout and diagnostics to stderr.
type command struct {
	words   string // e.g. "captcha solve"
	usage   string // one line: arguments
	summary string // one line: what it does
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands []command

// register adds a subcommand; called from init functions.
func register(c command) { commands = append(commands, c) }

// errUsage marks an error that should be followed by the command's usage.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Main runs the CLI and returns the process exit code; tests call it
// directly.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, rest := lookup(args)
	if c == nil {
		printHelp(stderr)
		if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			return 0
		}
		return 2
	}
	err := c.run(ctx, rest, stdout, stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "hoadon %s: %s\nusage: hoadon %s %s\n", c.words, hoadon.ErrorMessage(err), c.words, c.usage)
		return 2
	}
	fmt.Fprintf(stderr, "hoadon %s: %s\n", c.words, hoadon.ErrorMessage(err))
	return 1
}

// lookup finds the command with the longest word match.
func lookup(args []string) (*command, []string) {
	var best *command
	bestN := 0
	for i := range commands {
		w := strings.Fields(commands[i].words)
		if len(w) <= len(args) && len(w) > bestN && equalWords(w, args[:len(w)]) {
			best, bestN = &commands[i], len(w)
		}
	}
	if best == nil {
		return nil, nil
	}
	return best, args[bestN:]
}

func equalWords(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func printHelp(w io.Writer) {
	sort.Slice(commands, func(i, j int) bool { return commands[i].words < commands[j].words })
	fmt.Fprintln(w, "usage: hoadon <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-16s %s\n", c.words, c.summary)
	}
}

// newFlags returns a flag set whose errors are returned, not fatal.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("hoadon "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
