// Command readme writes the table of every declared setting
// (config.Settings) into a Markdown file between the settings markers:
//
//	go run ./shared/config/internal/readme README.md
//
// shared/config's tests fail while README.md's table is not current.
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/hoadon/hoadon/shared/config"
	"github.com/hoadon/hoadon/shared/settings"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: readme FILE.md")
		os.Exit(2)
	}
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func write(path string) error {
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := settings.Splice(doc, settings.Table(config.Settings()))
	if err != nil || bytes.Equal(out, doc) {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}
