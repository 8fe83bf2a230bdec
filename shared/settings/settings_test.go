package settings_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hoadon/hoadon/shared/hoadon"
	"github.com/hoadon/hoadon/shared/settings"
)

type inner struct {
	Wait  time.Duration `env:"T_WAIT" default:"2s" help:"wait"`
	Fixed int           // untagged: left alone
}

type outer struct {
	Name   string   `env:"T_NAME" default:"x" help:"name"`
	On     bool     `env:"T_ON" default:"false" help:"on"`
	N      int      `env:"T_N" default:"3" help:"n"`
	Rate   float64  `env:"T_RATE" help:"rate"`
	List   []string `env:"T_LIST" help:"list"`
	Secret string   `env:"T_SECRET,file" help:"secret"`
	Inner  inner
}

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestReadDefaultsTrimsAndKeepsUntagged(t *testing.T) {
	o := outer{Inner: inner{Fixed: 9}}
	if err := settings.Read(&o, getenv(map[string]string{"T_N": " 5 ", "T_LIST": "a, ,b,", "T_ON": "  "})); err != nil {
		t.Fatal(err)
	}
	want := outer{Name: "x", N: 5, List: []string{"a", "b"}, Inner: inner{Wait: 2 * time.Second, Fixed: 9}}
	if !reflect.DeepEqual(o, want) {
		t.Errorf("got %+v, want %+v", o, want)
	}
}

func TestSecretFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s")
	if err := os.WriteFile(p, []byte("shh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var o outer
	if err := settings.Read(&o, getenv(map[string]string{"T_SECRET_FILE": p})); err != nil || o.Secret != "shh" {
		t.Fatalf("from file: %q %v", o.Secret, err)
	}
	if err := settings.Read(&o, getenv(map[string]string{"T_SECRET": "direct", "T_SECRET_FILE": p})); err != nil || o.Secret != "direct" {
		t.Fatalf("variable first: %q %v", o.Secret, err)
	}
	err := settings.Read(&o, getenv(map[string]string{"T_SECRET_FILE": p + "-missing"}))
	if err == nil || !strings.HasPrefix(err.Error(), "invalid: config: T_SECRET_FILE: open ") {
		t.Errorf("missing file: %v", err)
	}
}

func TestErrorsNameTheVariable(t *testing.T) {
	for name, want := range map[string]string{
		"T_ON":   "config: T_ON: want true or false",
		"T_N":    "config: T_N: want an integer",
		"T_RATE": "config: T_RATE: want a number",
		"T_WAIT": "config: T_WAIT: want a duration such as 500ms or 2m",
	} {
		var o outer
		err := settings.Read(&o, getenv(map[string]string{name: "bad"}))
		if hoadon.ErrorCode(err) != hoadon.CodeInvalid || hoadon.ErrorMessage(err) != want {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestListAndDefaults(t *testing.T) {
	var names []string
	for _, s := range settings.List(&outer{}) {
		if s.Component != "settings_test" {
			t.Errorf("%s: component %q", s.Name, s.Component)
		}
		names = append(names, s.Name+"="+s.Default)
	}
	want := "T_NAME=x T_ON=false T_N=3 T_RATE= T_LIST= T_SECRET= T_SECRET_FILE= T_WAIT=2s"
	if strings.Join(names, " ") != want {
		t.Errorf("List = %v", names)
	}
	o := outer{N: 99, Inner: inner{Fixed: 1}}
	settings.Defaults(&o)
	if o.N != 3 || o.Name != "x" || o.Inner.Wait != 2*time.Second || o.Inner.Fixed != 1 {
		t.Errorf("Defaults: %+v", o)
	}
	defer func() {
		if recover() == nil {
			t.Error("a default that does not parse must panic")
		}
	}()
	settings.Defaults(&struct {
		N int `env:"T_BAD" default:"four"`
	}{})
}

func TestTableAndSplice(t *testing.T) {
	table := settings.Table([]settings.Setting{{Name: "T_A", Default: "1", Help: "a|b <x> like T_B=off", Component: "c"}})
	if !strings.Contains(table, "| `T_A` | `1` | c | a\\|b &lt;x&gt; like `T_B=off` |\n") {
		t.Errorf("table:\n%s", table)
	}
	doc := "intro\n" + settings.TableStart + "\nold\n" + settings.TableEnd + "\nrest\n"
	out, err := settings.Splice([]byte(doc), "new\n")
	if err != nil || string(out) != "intro\n"+settings.TableStart+"\nnew\n"+settings.TableEnd+"\nrest\n" {
		t.Errorf("splice: %q %v", out, err)
	}
	if _, err := settings.Splice([]byte(settings.TableEnd+"\n"+settings.TableStart+"\n"), "x"); err == nil {
		t.Error("markers out of order accepted")
	}
}
