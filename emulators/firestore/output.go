package firestore

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"sync"
)

// readyLine is what the emulator prints on stdout once it accepts requests.
const readyLine = "Dev App Server is now running."

// tailLines is how much output is kept for error messages.
const tailLines = 20

// outputWatcher reads the JVM's combined output, forwards it, spots the readiness line and
// keeps the last lines so a failed start can say why.
type outputWatcher struct {
	ready chan struct{} // closed when readyLine is seen
	done  chan struct{} // closed at EOF (every writer of the pipe has exited)

	mu   sync.Mutex
	tail []string
}

func watchOutput(r io.ReadCloser, forward io.Writer) *outputWatcher {
	w := &outputWatcher{ready: make(chan struct{}), done: make(chan struct{})}
	go w.run(r, forward)
	return w
}

func (w *outputWatcher) run(r io.ReadCloser, forward io.Writer) {
	defer close(w.done)
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	seen := false
	for sc.Scan() {
		line := sc.Text()
		w.remember(line)
		fmt.Fprintln(forward, line)
		if !seen && strings.Contains(line, readyLine) {
			seen = true
			close(w.ready)
		}
	}
	// Keep draining on scanner errors (line too long) so the JVM never blocks on a full pipe.
	_, _ = io.Copy(io.Discard, r)
}

func (w *outputWatcher) remember(line string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.tail = append(w.tail, line)
	if len(w.tail) > tailLines {
		w.tail = w.tail[len(w.tail)-tailLines:]
	}
}

// Tail returns the last lines of output, joined, for error messages.
func (w *outputWatcher) Tail() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.tail, "\n")
}
