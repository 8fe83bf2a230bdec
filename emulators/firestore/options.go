package firestore

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// DefaultJar is where the google-cloud-cli-firestore-emulator package installs the jar.
const DefaultJar = "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar"

// Environment variables that override the defaults, so a machine with Java or the jar in an
// unusual place needs no code change.
const (
	EnvJava = "HOADON_JAVA"
	EnvJar  = "HOADON_FIRESTORE_JAR"
)

// DefaultStartTimeout bounds the wait for the readiness line. The JVM needs 2–3 s on an idle
// machine; the margin covers a busy shared CI box.
const DefaultStartTimeout = 60 * time.Second

// ErrJavaNotFound and ErrJarNotFound let callers tell a missing prerequisite (a machine set-up
// problem) from an emulator that failed to start.
var (
	ErrJavaNotFound = errors.New("java not found")
	ErrJarNotFound  = errors.New("firestore emulator jar not found")
)

// Options configures Start. The zero value is usable: free port on 127.0.0.1, java from PATH,
// the jar at DefaultJar, no output forwarding, DefaultStartTimeout.
type Options struct {
	// Addr is host:port to listen on; an empty value or port 0 picks a free port on the host
	// (127.0.0.1 when empty).
	Addr string
	// Java is the java executable; empty means $HOADON_JAVA, then java on PATH,
	// then $JAVA_HOME/bin/java.
	Java string
	// Jar is the emulator jar; empty means $HOADON_FIRESTORE_JAR, then DefaultJar.
	Jar string
	// Stdout receives the emulator's stdout and stderr, line by line (nil discards them).
	Stdout io.Writer
	// StartTimeout bounds the wait for readiness; zero means DefaultStartTimeout.
	StartTimeout time.Duration
	// JVMArgs are extra java options placed before -cp; nil means DefaultJVMArgs.
	JVMArgs []string
	// ImportData is an export (an .overall_export_metadata file) loaded at start, so data
	// saved with Export survives a restart of the emulator.
	ImportData string
}

// DefaultJVMArgs trade peak JIT performance for start-up and CPU: on the project's shared
// 2-core machines the C1-only JIT and the serial collector halved the JVM's CPU time and cut
// a Firestore-heavy test package's wall time by a quarter (measured on shared/store tests).
var DefaultJVMArgs = []string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"}

// resolved is Options after defaults and checks.
type resolved struct {
	java, jar string
	jvmArgs   []string
	host      string
	port      int
	autoPort  bool
	stdout    io.Writer
	timeout   time.Duration
	importing string
}

func (o Options) resolve() (resolved, error) {
	r := resolved{stdout: o.Stdout, timeout: o.StartTimeout, jvmArgs: o.JVMArgs, importing: o.ImportData}
	if r.jvmArgs == nil {
		r.jvmArgs = DefaultJVMArgs
	}
	if r.stdout == nil {
		r.stdout = io.Discard
	}
	if r.timeout <= 0 {
		r.timeout = DefaultStartTimeout
	}
	var err error
	if r.java, err = findJava(o.Java); err != nil {
		return r, err
	}
	if r.jar, err = findJar(o.Jar); err != nil {
		return r, err
	}
	if r.host, r.port, err = splitAddr(o.Addr); err != nil {
		return r, err
	}
	if r.port == 0 {
		r.autoPort = true
		if r.port, err = freePort(r.host); err != nil {
			return r, err
		}
	}
	return r, nil
}

func findJava(explicit string) (string, error) {
	candidates := []string{explicit, os.Getenv(EnvJava)}
	for _, c := range candidates {
		if c != "" {
			return lookExecutable(c)
		}
	}
	if p, err := exec.LookPath("java"); err == nil {
		return p, nil
	}
	if home := os.Getenv("JAVA_HOME"); home != "" {
		return lookExecutable(filepath.Join(home, "bin", "java"))
	}
	return "", fmt.Errorf("firestore emulator: %w on PATH (install a JRE >= 11 or set %s)",
		ErrJavaNotFound, EnvJava)
}

func lookExecutable(path string) (string, error) {
	p, err := exec.LookPath(path)
	if err != nil {
		return "", fmt.Errorf("firestore emulator: %w at %q (set %s to a java executable): %v",
			ErrJavaNotFound, path, EnvJava, err)
	}
	return p, nil
}

func findJar(explicit string) (string, error) {
	jar := explicit
	if jar == "" {
		jar = os.Getenv(EnvJar)
	}
	if jar == "" {
		jar = DefaultJar
	}
	st, err := os.Stat(jar)
	if err != nil || !st.Mode().IsRegular() {
		return "", fmt.Errorf("firestore emulator: %w at %q (install google-cloud-cli-firestore-emulator "+
			"or set %s to the jar's path)", ErrJarNotFound, jar, EnvJar)
	}
	return jar, nil
}

func splitAddr(addr string) (string, int, error) {
	if addr == "" {
		return "127.0.0.1", 0, nil
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("firestore emulator: bad address %q: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("firestore emulator: bad port in address %q", addr)
	}
	return host, port, nil
}

// freePort asks the kernel for a free port on host. Another process could take it before the
// JVM binds it; Start retries with a new port when that happens.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("firestore emulator: pick free port on %s: %w", host, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
