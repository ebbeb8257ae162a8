package e2e

import (
	"bytes"
	"sort"
	"testing"
)

// TestCommandTable compares COMMAND INFO and COMMAND DOCS for every command
// nebredis has with redis-server's, byte for byte: clients (redis-cli hints,
// cluster-aware client libraries) read key positions, flags and arguments
// from them. Container commands (CLIENT, CONFIG, COMMAND...) are compared
// subcommand by subcommand, since nebredis may have only some of Redis's.
func TestCommandTable(t *testing.T) {
	pair := startPair(t)
	c := pair.dial(t)
	raw, err := c.neb.Do("COMMAND", "LIST")
	if err != nil {
		t.Fatal(err)
	}
	list, err := parseReply(raw)
	if err != nil || list.kind != '*' {
		t.Fatalf("COMMAND LIST: %s %v", quoteReply(raw), err)
	}
	var names []string
	for _, e := range list.elems {
		names = append(names, e.str)
	}
	sort.Strings(names)
	do := func(rc *rawClient, args ...string) []byte {
		t.Helper()
		r, err := rc.Do(args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return r
	}
	// compareCommand compares INFO and DOCS for one command or
	// "container|sub" name, unless Redis 7.0 does not have it.
	seen := map[string]bool{}
	compareCommand := func(name string) {
		if seen[name] {
			return
		}
		seen[name] = true
		if string(do(c.redis, "COMMAND", "INFO", name)) == "*1\r\n$-1\r\n" {
			t.Logf("%s is not a redis 7.0 command", name)
			return
		}
		for _, sub := range []string{"INFO", "DOCS"} {
			want := do(c.redis, "COMMAND", sub, name)
			got := do(c.neb, "COMMAND", sub, name)
			if !bytes.Equal(want, got) {
				t.Errorf("COMMAND %s %s\n%s", sub, name, describeDiff(want, got))
			}
		}
	}
	for _, name := range names {
		if subs := subcommandNames(do(c.neb, "COMMAND", "INFO", name)); len(subs) > 0 {
			for _, sub := range subs {
				compareCommand(sub)
			}
			continue
		}
		compareCommand(name)
	}
}

// subcommandNames returns the "container|sub" names listed in a COMMAND
// INFO reply for one command (element 10 of its row).
func subcommandNames(raw []byte) []string {
	n, err := parseReply(raw)
	if err != nil || len(n.elems) != 1 || len(n.elems[0].elems) < 10 {
		return nil
	}
	var out []string
	for _, sub := range n.elems[0].elems[9].elems {
		if len(sub.elems) > 0 {
			out = append(out, sub.elems[0].str)
		}
	}
	return out
}
