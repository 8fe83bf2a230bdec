// Command gentable builds the captcha solver's built-in signature table from
// labelled captchas: a directory of <ANSWER>.svg files (testdata/captcha).
// It writes a Go source file declaring builtinTable. Run it through
// `go generate ./shared/captcha`.
//
// It refuses inconsistent labels: if one signature would map to two
// characters, it names the signature, both characters and the files, and
// writes nothing.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gentable:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("gentable", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "directory of labelled captchas named <ANSWER>.svg")
	out := fs.String("out", "table_gen.go", "Go file to write")
	pkg := fs.String("package", "captcha", "package name of the generated file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("-dir is required")
	}
	samples, err := readDir(*dir)
	if err != nil {
		return err
	}
	tab, err := build(samples)
	if err != nil {
		return err
	}
	for _, w := range tab.warnings() {
		fmt.Fprintln(stderr, "gentable: warning:", w)
	}
	src, err := tab.source(*pkg, *dir)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, src, 0o644)
}
