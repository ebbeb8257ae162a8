package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every parameter prints a value that parses back to the same value, for
// the defaults and for a changed configuration.
func TestParamsRoundTrip(t *testing.T) {
	changed := Default()
	changed.Port = 7000
	changed.Bind = []string{"127.0.0.1", "-::1"}
	changed.ProtectedMode = false
	changed.Dir = t.TempDir()
	changed.AppendOnly = true
	changed.AppendFsync = "always"
	changed.Save = []SavePoint{{900, 1}, {300, 10}}
	changed.RequirePass = "s3cret pass"
	changed.MaxMemory = 1 << 30
	changed.MaxMemoryPolicy = "allkeys-lru"
	changed.MaxMemorySamples = 10
	changed.MaxMemoryClients = -10
	changed.MaxMemoryEvictionTenacity = 100
	changed.Databases = 32
	changed.MaxClients = 50
	changed.Timeout = 30 * time.Second
	changed.TCPKeepAlive = 60
	changed.ProtoMaxBulkLen = 1 << 20
	changed.ClientQueryBufferLimit = 2 << 30
	changed.LogLevel = "warning"
	changed.LogFile = "/tmp/nebredis.log"
	changed.SlowlogLogSlowerThan = -1
	changed.SlowlogMaxLen = 0
	changed.Hz = 500
	for _, base := range []Config{Default(), changed} {
		for _, p := range Params() {
			var c Config
			want := p.Value(&base)
			if err := p.Apply(&c, p.Split(want)...); err != nil {
				t.Errorf("%s: Apply(Value() = %q): %v", p.Name, want, err)
				continue
			}
			if got := p.Value(&c); got != want {
				t.Errorf("%s: Value after Apply(%q) = %q", p.Name, want, got)
			}
			if !p.Mutable || p.Protected {
				continue
			}
			// CONFIG SET name <CONFIG GET name> changes nothing.
			c = base
			if err := c.Set(p.Name, want); err != nil {
				t.Errorf("%s: Set(Get() = %q): %v", p.Name, want, err)
			} else if got := c.Get(p.Name); len(got) != 1 || got[0][1] != want {
				t.Errorf("%s: Get after Set(%q) = %q", p.Name, want, got)
			}
		}
		if err := base.Validate(); err != nil {
			t.Errorf("Validate(%+v): %v", base, err)
		}
	}
}

func TestParamsTable(t *testing.T) {
	seen := make(map[string]bool)
	for _, p := range Params() {
		for _, n := range p.names() {
			if n != strings.ToLower(n) || seen[n] {
				t.Errorf("parameter name %q is duplicated or not lower case", n)
			}
			seen[n] = true
		}
		if p.Usage == "" || p.Syntax == "" || strings.Contains(p.Usage, "{{") {
			t.Errorf("%s: Usage and Syntax must be set and hold no template actions", p.Name)
		}
	}
	for _, required := range []string{"port", "bind", "dir", "appendonly", "appendfsync", "requirepass",
		"maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-clients", "maxmemory-eviction-tenacity", "databases", "maxclients", "timeout",
		"proto-max-bulk-len", "client-query-buffer-limit", "loglevel", "logfile", "slowlog-log-slower-than",
		"slowlog-max-len", "hz", "tcp-keepalive", "save", "daemonize", "protected-mode"} {
		if !seen[required] {
			t.Errorf("parameter %s is missing", required)
		}
	}
}

func TestSetValues(t *testing.T) {
	tests := []struct {
		name, value string
		param, want string // CONFIG GET afterwards
	}{
		{"maxmemory", "1gb", "maxmemory", "1073741824"},
		{"MAXMEMORY", "1GB", "maxmemory", "1073741824"},
		{"maxmemory", "100k", "maxmemory", "100000"},
		{"maxmemory", "", "maxmemory", "0"},
		{"hz", "1000", "hz", "500"},
		{"hz", "0", "hz", "1"},
		{"loglevel", "WARNING", "loglevel", "warning"},
		{"maxmemory-policy", "AllKeys-LRU", "maxmemory-policy", "allkeys-lru"},
		{"appendonly", "YES", "appendonly", "yes"},
		{"save", "900 1 300 10", "save", "900 1 300 10"},
		{"save", "", "save", ""},
		{"save", "0900 1", "save", "900 1"},
		{"timeout", "0", "timeout", "0"},
		{"timeout", "15", "timeout", "15"},
		{"slowlog-log-slower-than", "-1", "slowlog-log-slower-than", "-1"},
		{"proto-max-bulk-len", "1mb", "proto-max-bulk-len", "1048576"},
		{"requirepass", "a b", "requirepass", "a b"},
		{"maxmemory-clients", "10%", "maxmemory-clients", "10%"},
		{"maxmemory-clients", "0%", "maxmemory-clients", "0"},
		{"maxmemory-clients", "1gb", "maxmemory-clients", "1073741824"},
		{"maxmemory-clients", "", "maxmemory-clients", "0"},
		{"maxmemory-clients", "18446744073709551615", "maxmemory-clients", "1%"},
		{"maxmemory-eviction-tenacity", "100", "maxmemory-eviction-tenacity", "100"},
	}
	for _, tc := range tests {
		c := Default()
		if err := c.Set(tc.name, tc.value); err != nil {
			t.Errorf("Set(%q, %q): %v", tc.name, tc.value, err)
			continue
		}
		if got := c.Get(tc.param); len(got) != 1 || got[0][1] != tc.want {
			t.Errorf("Set(%q, %q); Get = %q, want %q", tc.name, tc.value, got, tc.want)
		}
	}
}

func TestSetErrors(t *testing.T) {
	tests := []struct {
		name, value string
		sentinel    error
		reason      string
	}{
		{"nosuch", "1", ErrUnknownParam, "Bad directive or wrong number of arguments"},
		{"port", "7000", ErrImmutable, "can't set immutable config"},
		{"databases", "3", ErrImmutable, "can't set immutable config"},
		{"daemonize", "no", ErrImmutable, "can't set immutable config"},
		{"logfile", "x", ErrImmutable, "can't set immutable config"},
		{"dir", "/tmp", ErrProtected, "can't set protected config"},
		{"maxmemory", "foo", ErrInvalidValue, "argument must be a memory value"},
		{"maxmemory", "-1", ErrInvalidValue, "argument must be a memory value"},
		{"maxmemory", "1.5gb", ErrInvalidValue, "argument must be a memory value"},
		{"maxmemory-policy", "bad", ErrInvalidValue, "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
		{"appendfsync", "bad", ErrInvalidValue, "argument(s) must be one of the following: everysec, always, no"},
		{"loglevel", "bad", ErrInvalidValue, "argument(s) must be one of the following: debug, verbose, notice, warning"},
		{"timeout", "-1", ErrInvalidValue, "argument must be between 0 and 2147483647 inclusive"},
		{"timeout", "abc", ErrInvalidValue, "argument couldn't be parsed into an integer"},
		{"timeout", "1k", ErrInvalidValue, "argument couldn't be parsed into an integer"},
		{"timeout", "000", ErrInvalidValue, "argument couldn't be parsed into an integer"},
		{"maxclients", "0", ErrInvalidValue, "argument must be between 1 and 4294967295 inclusive"},
		{"save", "bad", ErrInvalidValue, "Invalid save parameters"},
		{"save", "900", ErrInvalidValue, "Invalid save parameters"},
		{"save", "0 1", ErrInvalidValue, "Invalid save parameters"},
		{"protected-mode", "maybe", ErrInvalidValue, "argument must be 'yes' or 'no'"},
		{"proto-max-bulk-len", "10", ErrInvalidValue, "argument must be between 1048576 and 9223372036854775807 inclusive"},
		{"client-query-buffer-limit", "", ErrInvalidValue, "argument must be between 1048576 and 9223372036854775807 inclusive"},
		{"tcp-keepalive", "-1", ErrInvalidValue, "argument must be between 0 and 2147483647 inclusive"},
		{"slowlog-max-len", "-1", ErrInvalidValue, "argument must be between 0 and 9223372036854775807 inclusive"},
		{"slowlog-log-slower-than", "-5", ErrInvalidValue, "argument must be between -1 and 9223372036854775807 inclusive"},
		{"maxmemory-samples", "0", ErrInvalidValue, "argument must be between 1 and 2147483647 inclusive"},
		{"hz", "-1", ErrInvalidValue, "argument must be between 0 and 2147483647 inclusive"},
		{"maxmemory-clients", "101%", ErrInvalidValue, "percentage argument must be less or equal to 100"},
		{"maxmemory-clients", "9223372036854775808", ErrInvalidValue, "percentage argument must be less or equal to 100"},
		{"maxmemory-clients", "05%", ErrInvalidValue, "argument must be a memory or percent value"},
		{"maxmemory-clients", "-1%", ErrInvalidValue, "argument must be a memory or percent value"},
		{"maxmemory-clients", "%", ErrInvalidValue, "argument must be a memory or percent value"},
		{"maxmemory-eviction-tenacity", "101", ErrInvalidValue, "argument must be between 0 and 100 inclusive"},
		{"maxmemory-eviction-tenacity", "", ErrInvalidValue, "argument couldn't be parsed into an integer"},
	}
	for _, tc := range tests {
		c := Default()
		before := c
		err := c.Set(tc.name, tc.value)
		var pe *ParamError
		if !errors.Is(err, tc.sentinel) || !errors.As(err, &pe) || pe.Reason != tc.reason || pe.Name != tc.name {
			t.Errorf("Set(%q, %q) = %v (%#v); want %v with reason %q", tc.name, tc.value, err, pe, tc.sentinel, tc.reason)
		}
		if !reflect.DeepEqual(c, before) {
			t.Errorf("Set(%q, %q) failed but changed the config", tc.name, tc.value)
		}
	}
}

func TestSetManyIsAtomic(t *testing.T) {
	c := Default()
	err := c.SetMany([][2]string{{"maxmemory", "1mb"}, {"timeout", "abc"}})
	var pe *ParamError
	if !errors.As(err, &pe) || pe.Name != "timeout" || !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("SetMany = %v, want an invalid timeout", err)
	}
	if c.MaxMemory != 0 {
		t.Errorf("maxmemory changed to %d by a failed SetMany", c.MaxMemory)
	}

	err = c.SetMany([][2]string{{"maxmemory", "1"}, {"maxmemory", "2"}})
	if !errors.Is(err, ErrDuplicateParam) || !errors.As(err, &pe) || pe.Reason != "duplicate parameter" {
		t.Errorf("duplicate SetMany = %v", err)
	}
	// Names are checked before values: the immutable one is reported even
	// though an earlier value is bad.
	err = c.SetMany([][2]string{{"maxmemory", "bad"}, {"databases", "3"}})
	if !errors.Is(err, ErrImmutable) {
		t.Errorf("SetMany(bad maxmemory, databases) = %v, want ErrImmutable", err)
	}
	if err := c.SetMany([][2]string{{"maxmemory", "2mb"}, {"hz", "20"}}); err != nil {
		t.Fatal(err)
	}
	if c.MaxMemory != 2<<20 || c.Hz != 20 {
		t.Errorf("SetMany applied maxmemory=%d hz=%d", c.MaxMemory, c.Hz)
	}
}

func TestGet(t *testing.T) {
	c := Default()
	c.Dir = "/var/lib/nebredis"
	tests := []struct {
		patterns []string
		want     [][2]string
	}{
		{[]string{"port"}, [][2]string{{"port", "6379"}}},
		{[]string{"PORT"}, [][2]string{{"PORT", "6379"}}},
		{[]string{"nosuch"}, nil},
		{[]string{"maxmemory*"}, [][2]string{{"maxmemory", "0"}, {"maxmemory-policy", "noeviction"}, {"maxmemory-samples", "5"}, {"maxmemory-clients", "0"}, {"maxmemory-eviction-tenacity", "10"}}},
		{[]string{"maxmemory", "max*"}, [][2]string{{"maxmemory", "0"}, {"maxclients", "10000"}, {"maxmemory-policy", "noeviction"}, {"maxmemory-samples", "5"}, {"maxmemory-clients", "0"}, {"maxmemory-eviction-tenacity", "10"}}},
		{[]string{"port", "port", "po*"}, [][2]string{{"port", "6379"}}},
		{[]string{"dir", "save", "appendonly", "bind", "timeout"}, [][2]string{{"dir", "/var/lib/nebredis"}, {"save", ""}, {"appendonly", "no"}, {"bind", "127.0.0.1"}, {"timeout", "0"}}},
		{[]string{"*-max-*"}, [][2]string{{"slowlog-max-len", "128"}, {"hash-max-listpack-entries", "512"}, {"hash-max-listpack-value", "64"}, {"set-max-intset-entries", "512"}, {"zset-max-listpack-entries", "128"}, {"zset-max-listpack-value", "64"}, {"proto-max-bulk-len", "536870912"}}},
	}
	for _, tc := range tests {
		if got := c.Get(tc.patterns...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Get(%q) = %q, want %q", tc.patterns, got, tc.want)
		}
	}
	if n := len(c.Get("*")); n != len(Params()) {
		t.Errorf("Get(*) returned %d pairs for %d parameters", n, len(Params()))
	}
}

func TestValidate(t *testing.T) {
	c := Default()
	c.MaxMemoryPolicy = "lru"
	c.Databases = 1000
	c.Dir = ""
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate accepted a bad config")
	}
	for _, want := range []string{`maxmemory-policy "lru"`, `databases "1000": argument must be between 1 and 256 inclusive`, `dir ""`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate error %q does not mention %q", err, want)
		}
	}
	c = Default()
	c.Daemonize = true
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "daemonize") {
		t.Errorf("Validate(daemonize yes) = %v", err)
	}
}

func TestListenAddrs(t *testing.T) {
	c := Default()
	c.Port = 7000
	c.Bind = []string{"127.0.0.1", "-::1", "*", "::*"}
	want := []ListenAddr{{"127.0.0.1:7000", false}, {"[::1]:7000", true}, {"0.0.0.0:7000", false}, {"[::]:7000", false}}
	if got := c.ListenAddrs(); !reflect.DeepEqual(got, want) {
		t.Errorf("ListenAddrs = %v, want %v", got, want)
	}
	c.Bind = nil
	if got := c.ListenAddrs(); !reflect.DeepEqual(got, []ListenAddr{{Addr: ":7000"}}) {
		t.Errorf("ListenAddrs with no bind = %v", got)
	}
}
