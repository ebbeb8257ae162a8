package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadReader(t *testing.T) {
	const conf = `# nebredis test config
port 7000
  bind 127.0.0.1 ::1
MAXMEMORY 512mb
maxmemory-policy allkeys-lru
requirepass "pa ss\x21"
logfile ""
save 900 1
save 300 10

timeout 30   # not a comment: Redis has no trailing comments
`
	c := Default()
	err := c.LoadReader(strings.NewReader(conf), "test.conf")
	// The trailing "comment" makes the timeout line have too many arguments.
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line != 11 || fe.Reason != "wrong number of arguments" || !errors.Is(err, ErrWrongArgs) {
		t.Fatalf("LoadReader = %v, want a wrong-arguments error at line 11", err)
	}
	c = Default()
	if err := c.LoadReader(strings.NewReader(strings.Replace(conf, "   # not a comment: Redis has no trailing comments", "", 1)), "test.conf"); err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.Port = 7000
	want.Bind = []string{"127.0.0.1", "::1"}
	want.MaxMemory = 512 << 20
	want.MaxMemoryPolicy = "allkeys-lru"
	want.RequirePass = "pa ss!"
	want.Save = []SavePoint{{900, 1}, {300, 10}}
	want.Timeout = 30e9
	if !reflect.DeepEqual(c, want) {
		t.Errorf("loaded %+v\nwant   %+v", c, want)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		conf     string
		line     int
		text     string
		reason   string
		sentinel error
	}{
		{"port 0\nfoo bar\n", 2, "foo bar", "Bad directive or wrong number of arguments", ErrUnknownParam},
		{"port 0\nmaxmemory abc\n", 2, "maxmemory abc", "argument must be a memory value", ErrInvalidValue},
		{"port 0\nmaxmemory 1 2\n", 2, "maxmemory 1 2", "wrong number of arguments", ErrWrongArgs},
		{"port 0\nmaxmemory\n", 2, "maxmemory", "wrong number of arguments", ErrWrongArgs},
		{"port 0\nsave \"900 1\n", 2, `save "900 1`, "Unbalanced quotes in configuration line", ErrUnbalancedQuotes},
		{"# c\n\n\tdatabases 0\r\n", 3, "databases 0", "argument must be between 1 and 256 inclusive", ErrInvalidValue},
		{"daemonize yes\n", 1, "daemonize yes", "daemonize yes is not supported: nebredis runs in the foreground (use a service manager)", ErrInvalidValue},
		{"appendonly maybe\n", 1, "appendonly maybe", "argument must be 'yes' or 'no'", ErrInvalidValue},
	}
	for _, tc := range tests {
		c := Default()
		err := c.LoadReader(strings.NewReader(tc.conf), "x.conf")
		var fe *FileError
		if !errors.As(err, &fe) || fe.Line != tc.line || fe.Text != tc.text || fe.Reason != tc.reason || !errors.Is(err, tc.sentinel) {
			t.Errorf("LoadReader(%q) = %v (%+v); want line %d %q: %q", tc.conf, err, fe, tc.line, tc.text, tc.reason)
		}
	}
}

// Redis's save lines: the first in the files replaces the default, later
// ones add rules, and save "" clears them.
func TestLoadSaveAccumulates(t *testing.T) {
	c := Default()
	c.Save = []SavePoint{{3600, 1}}
	if err := c.LoadReader(strings.NewReader("save 900 1\nsave 300 10 60 10000\n"), "x"); err != nil {
		t.Fatal(err)
	}
	if got := c.Get("save")[0][1]; got != "900 1 300 10 60 10000" {
		t.Errorf("save = %q", got)
	}
	if err := c.LoadReader(strings.NewReader("save 900 1\nsave \"\"\n"), "x"); err != nil {
		t.Fatal(err)
	}
	if len(c.Save) != 0 {
		t.Errorf("save \"\" left %v", c.Save)
	}
}

func TestLoadFileInclude(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("a.part.conf", "maxmemory 1mb\n")
	write("b.part.conf", "hz 20\n")
	main := write("main.conf", "port 7001\ninclude "+filepath.Join(dir, "*.part.conf")+"\nmaxmemory 2mb\n")
	c := Default()
	if err := c.LoadFile(main); err != nil {
		t.Fatal(err)
	}
	if c.Port != 7001 || c.MaxMemory != 2<<20 || c.Hz != 20 {
		t.Errorf("loaded port=%d maxmemory=%d hz=%d", c.Port, c.MaxMemory, c.Hz)
	}

	bad := write("bad.conf", "port 1\ninclude "+filepath.Join(dir, "broken.inc")+"\n")
	write("broken.inc", "\n\nnosuch 1\n")
	var fe *FileError
	if err := c.LoadFile(bad); !errors.As(err, &fe) || fe.File != filepath.Join(dir, "broken.inc") || fe.Line != 3 {
		t.Errorf("LoadFile with a bad include = %v", err)
	}
	loop := write("loop.conf", "include "+filepath.Join(dir, "loop.conf")+"\n")
	if err := c.LoadFile(loop); err == nil {
		t.Error("an include loop loaded")
	}
	if err := c.LoadFile(filepath.Join(dir, "missing.conf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadFile(missing) = %v", err)
	}
}
