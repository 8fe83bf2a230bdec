// Package settings reads environment variables into the struct fields that
// declare them. A component declares each of its settings once, as tags on
// the field the value goes to:
//
//	Concurrency int `env:"HOADON_COMPANY_CONCURRENCY" default:"4" help:"parallel downloads per company"`
//
// The name, the default and the description live in that one place: Read
// fills the field from the environment (or the default), Defaults fills it
// without looking at the environment, and List gives the rows README.md's
// configuration table and the Terraform checks are built on. The option
// ",file" (`env:"HOADON_SIGNING_KEY,file"`) also accepts NAME_FILE, a file
// holding the value (a mounted secret).
//
// Why not github.com/caarlos0/env or github.com/kelseyhightower/envconfig:
// neither gives what the errors and the README table need here. caarlos0/env
// names the Go field in its parse errors (ParseError.Name), not the
// variable an operator sets, and carries no description; envconfig reads
// only the process environment (tests pass a map) and takes a variable set
// to "" as a value rather than its default, which Terraform's empty
// optional values would trip. The walk below is small and has no options
// beyond those this project uses.
package settings

import (
	"encoding"
	"fmt"
	"os"
	"path"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
)

// Setting documents one environment variable.
type Setting struct {
	Name    string // the variable, HOADON_...
	Default string // used when the variable is unset or blank; "" for none
	Help    string
	// Component is the Go package declaring the setting ("queue" for
	// shared/queue), or the name a table of settings was given.
	Component string
}

// field is one tagged struct field.
type field struct {
	Setting
	file  bool // also read NAME_FILE
	value reflect.Value
	typ   reflect.Type
}

// walk lists the tagged fields of the struct p points to, nested structs
// included, in declaration order.
func walk(p any) []field {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("settings: want a pointer to a struct, not %T", p))
	}
	return walkStruct(v.Elem(), nil)
}

func walkStruct(v reflect.Value, out []field) []field {
	t := v.Type()
	for i := range t.NumField() {
		sf, fv := t.Field(i), v.Field(i)
		tag, ok := sf.Tag.Lookup("env")
		if !ok {
			if sf.IsExported() && sf.Type.Kind() == reflect.Struct && !isText(fv) {
				out = walkStruct(fv, out)
			}
			continue
		}
		name, opt, _ := strings.Cut(tag, ",")
		if !sf.IsExported() || name == "" || (opt != "" && opt != "file") {
			panic(fmt.Sprintf("settings: %s.%s: bad tag %q", t, sf.Name, tag))
		}
		out = append(out, field{
			Setting: Setting{Name: name, Default: sf.Tag.Get("default"), Help: sf.Tag.Get("help"),
				Component: path.Base(t.PkgPath())},
			file: opt == "file", value: fv, typ: sf.Type,
		})
	}
	return out
}

// List returns the settings declared by the struct p points to, a ",file"
// setting followed by its NAME_FILE companion.
func List(p any) []Setting {
	var out []Setting
	for _, f := range walk(p) {
		out = append(out, f.Setting)
		if f.file {
			out = append(out, Setting{Name: f.Name + "_FILE", Component: f.Component,
				Help: "file holding " + f.Name + " (a mounted secret)"})
		}
	}
	return out
}

// Read fills every tagged field of the struct p points to from getenv
// (values are trimmed; unset or blank takes the default, without default
// the zero value) and leaves untagged fields as they are. The first value
// that does not parse is returned as a CodeInvalid error naming the
// variable.
func Read(p any, getenv func(string) string) error {
	for _, f := range walk(p) {
		raw, err := f.raw(getenv)
		if err != nil {
			return hoadon.Errorf(hoadon.CodeInvalid, "config: %s", err)
		}
		if err := set(f.value, raw); err != nil {
			return hoadon.Errorf(hoadon.CodeInvalid, "config: %s: %s", f.Name, hoadon.ErrorMessage(err))
		}
	}
	return nil
}

// Defaults fills every tagged field of the struct p points to with its
// default. A default that does not parse is a programming error.
func Defaults(p any) {
	if err := Read(p, func(string) string { return "" }); err != nil {
		panic(err)
	}
}

// raw returns the text of the setting: the variable, its default, or the
// content of NAME_FILE.
func (f field) raw(getenv func(string) string) (string, error) {
	if v := strings.TrimSpace(getenv(f.Name)); v != "" {
		return v, nil
	}
	if f.Default != "" || !f.file {
		return f.Default, nil
	}
	file := strings.TrimSpace(getenv(f.Name + "_FILE"))
	if file == "" {
		return "", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: %v", f.Name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

var durationType = reflect.TypeFor[time.Duration]()

// set parses raw into v; "" sets the zero value.
func set(v reflect.Value, raw string) error {
	if raw == "" {
		v.SetZero()
		return nil
	}
	if isText(v) {
		return v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(raw))
	}
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("want a duration such as 500ms or 2m")
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(raw)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int:
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("want an integer")
		}
		v.SetInt(int64(n))
	case v.Kind() == reflect.Float64:
		x, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("want a number")
		}
		v.SetFloat(x)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		v.Set(reflect.ValueOf(splitList(raw)).Convert(v.Type()))
	default:
		panic("settings: unsupported field type " + v.Type().String())
	}
	return nil
}

// splitList splits a comma-separated value, dropping blank items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func isText(v reflect.Value) bool {
	return v.CanAddr() && v.Addr().Type().Implements(reflect.TypeFor[encoding.TextUnmarshaler]())
}
