package commands

import (
	"strings"
	"testing"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/internal/glob"
)

// allRows returns every row, subcommands included.
func allRows(t *Table) []*Command {
	var out []*Command
	for _, c := range t.All() {
		out = append(out, c)
		out = append(out, c.Subcommands()...)
	}
	return out
}

// TestTableRowsConsistent checks every registered row, whatever family
// registered it: the dispatcher and COMMAND trust these fields.
func TestTableRowsConsistent(t *testing.T) {
	ts := newTestServer(t, config.Default())
	for _, c := range allRows(ts.srv.Table) {
		name := c.FullName()
		if c.Name != strings.ToLower(c.Name) || c.Name == "" {
			t.Errorf("%s: name must be lower case and non-empty", name)
		}
		if c.Arity == 0 {
			t.Errorf("%s: arity 0", name)
		}
		if c.Parent() != nil && c.Arity > 0 && c.Arity < 2 || c.Parent() != nil && c.Arity < 0 && c.Arity > -2 {
			t.Errorf("%s: a subcommand's arity counts the container and itself", name)
		}
		if c.Handler == nil && len(c.Sub) == 0 {
			t.Errorf("%s: no handler and no subcommands", name)
		}
		if c.Summary == "" || c.Since == "" || c.Group == "" || c.Complexity == "" {
			t.Errorf("%s: COMMAND DOCS fields missing (summary %q since %q group %q complexity %q)",
				name, c.Summary, c.Since, c.Group, c.Complexity)
		}
		if c.Flags&FlagWrite != 0 && c.Flags&FlagReadOnly != 0 {
			t.Errorf("%s: both write and readonly", name)
		}
		if c.Flags&FlagDenyOOM != 0 && c.Flags&FlagWrite == 0 {
			t.Errorf("%s: denyoom without write", name)
		}
		for _, cat := range c.AllCategories() {
			known := false
			for _, k := range aclCategories {
				known = known || k == cat
			}
			if !known {
				t.Errorf("%s: unknown ACL category %q", name, cat)
			}
		}
		// Key positions: (0,0,0) or a first key with a positive step and a
		// last key at or after it (negative: counted from the end).
		switch {
		case c.FirstKey == 0:
			if c.LastKey != 0 || c.Step != 0 {
				t.Errorf("%s: no first key but last %d step %d", name, c.LastKey, c.Step)
			}
		case c.FirstKey < 0 || c.Step <= 0:
			t.Errorf("%s: key triple (%d,%d,%d)", name, c.FirstKey, c.LastKey, c.Step)
		case c.LastKey >= 0 && c.LastKey < c.FirstKey:
			t.Errorf("%s: last key %d before first %d", name, c.LastKey, c.FirstKey)
		case c.Arity > 0 && c.LastKey >= c.Arity:
			t.Errorf("%s: last key %d beyond arity %d", name, c.LastKey, c.Arity)
		case c.Arity < 0 && c.LastKey >= -c.Arity && c.LastKey > 0:
			// Variadic commands can have keys past the minimum only with a
			// negative last key.
		}
		if c.FirstKey > 0 && c.Arity > 0 && c.FirstKey >= c.Arity {
			t.Errorf("%s: first key %d beyond arity %d", name, c.FirstKey, c.Arity)
		}
		if !c.notKeys() && c.FirstKey > 0 && c.Arity < 0 && c.FirstKey >= -c.Arity {
			t.Errorf("%s: first key %d beyond the minimum arity %d", name, c.FirstKey, c.Arity)
		}
		// Documented key arguments and key positions agree.
		if hasKeyArg(c.Args) && !c.hasKeys() {
			t.Errorf("%s: documents a key argument but has no key positions", name)
		}
		if !c.notKeys() && c.FirstKey > 0 && !hasKeyArg(c.Args) {
			t.Errorf("%s: has key positions but documents no key argument", name)
		}
		checkKeySpecIndexes(t, name, c.Args, len(c.keySpecs()))
		for i, ks := range c.KeySpecs {
			if len(ks.Flags) == 0 || (ks.Index <= 0 && ks.Keyword == "" && c.GetKeys == nil) {
				t.Errorf("%s: key spec %d has no flags or no begin search", name, i)
			}
		}
	}
}

func checkKeySpecIndexes(t *testing.T, name string, args []ArgDoc, specs int) {
	t.Helper()
	for _, a := range args {
		if a.Type == "key" && (a.KeySpecIndex < 0 || a.KeySpecIndex >= specs) {
			t.Errorf("%s: argument %s points at key spec %d of %d", name, a.Name, a.KeySpecIndex, specs)
		}
		checkKeySpecIndexes(t, name, a.Args, specs)
	}
}

func hasKeyArg(args []ArgDoc) bool {
	for _, a := range args {
		if a.Type == "key" || hasKeyArg(a.Args) {
			return true
		}
	}
	return false
}

// minimalArgs builds the shortest call the row accepts: its name
// (and subcommand), then placeholders "a1", "a2"...
func minimalArgs(c *Command) []string {
	n := c.Arity
	if n < 0 {
		n = -n
	}
	args := []string{c.Name}
	if c.Parent() != nil {
		args = []string{c.Parent().Name, c.Name}
	}
	for i := len(args); i < n; i++ {
		args = append(args, "a"+itoa(int64(i)))
	}
	return args
}

// TestGetKeysEveryRow runs COMMAND GETKEYS on a minimal call of every row
// and checks the keys against the row's key positions.
func TestGetKeysEveryRow(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	for _, c := range allRows(ts.srv.Table) {
		if c.GetKeys != nil || !c.hasKeys() || c.notKeys() {
			// Movable keys depend on the arguments' values; keyless rows
			// are TestCommandGetKeys's.
			continue
		}
		args := minimalArgs(c)
		got := ts.do(sess, append([]string{"command", "getkeys"}, args...)...)
		idx := c.KeyIndexes(toBytes(args))
		want := "*" + itoa(int64(len(idx))) + "\r\n"
		for _, i := range idx {
			want += rBulk(args[i])
		}
		if len(idx) == 0 {
			want = rErr("ERR Invalid arguments specified for command")
		}
		if got != want {
			t.Errorf("GETKEYS %q:\n got %q\nwant %q", args, got, want)
		}
	}
}

func TestCommandGetKeys(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"command", "getkeys"}, rErr("ERR wrong number of arguments for 'command|getkeys' command")},
		{[]string{"command", "getkeys", "get"}, rErr("ERR wrong number of arguments for 'command|getkeys' command")},
		{[]string{"command", "getkeys", "foo", "a"}, rErr("ERR Invalid command specified")},
		{[]string{"command", "getkeys", "client", "x"}, rErr("ERR Invalid command specified")},
		{[]string{"command", "getkeys", "get", "a", "b"}, rErr("ERR Invalid number of arguments specified for command")},
		{[]string{"command", "getkeys", "client", "list"}, rErr("ERR The command has no key arguments")},
		{[]string{"command", "getkeys", "config", "get", "x"}, rErr("ERR The command has no key arguments")},
		{[]string{"command", "getkeys", "mset", "a", "b", "c", "d"}, "*2\r\n" + rBulk("a") + rBulk("c")},
		{[]string{"command", "getkeys", "OBJECT", "encoding", "k"}, "*1\r\n" + rBulk("k")},
		{[]string{"command", "getkeys", "memory", "usage", "k"}, "*1\r\n" + rBulk("k")},
		{[]string{"command", "getkeysandflags", "memory", "usage", "k"}, "*1\r\n*2\r\n" + rBulk("k") + "*1\r\n+RO\r\n"},
	}
	for _, st := range steps {
		if got := ts.do(sess, st.args...); got != st.want {
			t.Errorf("%q:\n got %q\nwant %q", st.args, got, st.want)
		}
	}
}

func TestCommandInfoAndDocs(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	if got := ts.do(sess, "command", "count"); got != ":"+itoa(int64(ts.srv.Table.Len()))+"\r\n" {
		t.Errorf("COMMAND COUNT: %q", got)
	}
	all := ts.do(sess, "command")
	if !strings.HasPrefix(all, "*"+itoa(int64(ts.srv.Table.Len()))+"\r\n*10\r\n") {
		t.Errorf("COMMAND: %.80q", all)
	}
	if got := ts.do(sess, "command", "info"); got != all {
		t.Errorf("COMMAND INFO without names differs from COMMAND")
	}
	// Byte for byte as redis-server 7.0.15 (captured with a raw socket).
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"command", "info", "nosuch"}, "*1\r\n$-1\r\n"},
		{[]string{"command", "info", "client|list"}, "*1\r\n*10\r\n$11\r\nclient|list\r\n:-2\r\n*4\r\n+admin\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n+@connection\r\n*1\r\n$23\r\nnondeterministic_output\r\n*0\r\n*0\r\n"},
		{[]string{"command", "info", "memory|usage"}, "*1\r\n*10\r\n$12\r\nmemory|usage\r\n:-3\r\n*1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n*2\r\n+@read\r\n+@slow\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*1\r\n+RO\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"},
		{[]string{"command", "docs", "nosuch"}, "*0\r\n"},
		{[]string{"command", "docs", "echo"}, "*2\r\n$4\r\necho\r\n*10\r\n$7\r\nsummary\r\n$21\r\nEcho the given string\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*4\r\n$4\r\nname\r\n$7\r\nmessage\r\n$4\r\ntype\r\n$6\r\nstring\r\n"},
		{[]string{"command", "docs", "ping"}, "*2\r\n$4\r\nping\r\n*10\r\n$7\r\nsummary\r\n$15\r\nPing the server\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$7\r\nmessage\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\nflags\r\n*1\r\n+optional\r\n"},
	}
	for _, st := range steps {
		if got := ts.do(sess, st.args...); got != st.want {
			t.Errorf("%q:\n got %q\nwant %q", st.args, got, st.want)
		}
	}
	// RESP3 shapes: flags, categories, tips and key specs are sets.
	ts.do(sess, "hello", "3")
	got := ts.do(sess, "command", "info", "memory|usage")
	if !strings.HasPrefix(got, "*1\r\n*10\r\n$12\r\nmemory|usage\r\n:-3\r\n~1\r\n+readonly\r\n:2\r\n:2\r\n:1\r\n~2\r\n+@read\r\n+@slow\r\n~0\r\n~1\r\n%3\r\n") ||
		!strings.HasSuffix(got, "~0\r\n") {
		t.Errorf("COMMAND INFO in RESP3: %q", got)
	}
	docs := ts.do(sess, "command", "docs", "config")
	if !strings.HasPrefix(docs, "%1\r\n$6\r\nconfig\r\n%5\r\n$7\r\nsummary\r\n") || !strings.Contains(docs, "$11\r\nsubcommands\r\n%5\r\n$10\r\nconfig|get\r\n") {
		t.Errorf("COMMAND DOCS config in RESP3: %.300q", docs)
	}
}

func TestCommandList(t *testing.T) {
	ts := newTestServer(t, config.Default())
	sess, _ := ts.session("127.0.0.1:5000")
	got := ts.do(sess, "command", "list", "filterby", "pattern", "CL*")
	for _, want := range []string{rBulk("client"), rBulk("client|list"), rBulk("client|setname")} {
		if !strings.Contains(got, want) {
			t.Errorf("COMMAND LIST PATTERN cl* lacks %q: %q", want, got)
		}
	}
	if strings.Contains(got, rBulk("config")) {
		t.Errorf("COMMAND LIST PATTERN cl* has config: %q", got)
	}
	got = ts.do(sess, "command", "list", "filterby", "aclcat", "connection")
	if !strings.Contains(got, rBulk("ping")) || !strings.Contains(got, rBulk("client|kill")) || strings.Contains(got, rBulk("client\r\n")) {
		t.Errorf("COMMAND LIST ACLCAT connection: %q", got)
	}
	if got := ts.do(sess, "command", "list", "filterby", "module", "x"); got != "*0\r\n" {
		t.Errorf("COMMAND LIST MODULE: %q", got)
	}
	for _, bad := range [][]string{{"command", "list", "x"}, {"command", "list", "filterby"}, {"command", "list", "filterby", "x", "y"}} {
		if got := ts.do(sess, bad...); got != rErr(ErrSyntax) {
			t.Errorf("%q: %q", bad, got)
		}
	}
	all := ts.do(sess, "command", "list")
	if n := len(allRows(ts.srv.Table)); !strings.HasPrefix(all, "*"+itoa(int64(n))+"\r\n") {
		t.Errorf("COMMAND LIST: want %d names, got %.20q", n, all)
	}
}

func TestGlobMatchFold(t *testing.T) {
	for _, tc := range []struct {
		pat, s string
		want   bool
	}{
		{"*", "", false}, {"*", "abc", true}, {"a*", "ABC", true}, {"a?c", "abc", true},
		{"a?c", "ac", false}, {"[a-c]x", "Bx", true}, {"[^a-c]x", "bx", false}, {"[^a-c]x", "dx", true},
		{"client|*", "client|list", true}, {"\\*", "*", true}, {"\\*", "a", false},
		{"*list", "client|list", true}, {"[abc", "a", true}, {"a**b", "axxb", true},
	} {
		if got := glob.MatchFold(tc.pat, tc.s); got != tc.want {
			t.Errorf("globMatchFold(%q, %q) = %v", tc.pat, tc.s, got)
		}
	}
}

// TestKeySpecsMatchRedis builds rows shaped like Redis's RENAME, GETEX,
// XREAD, EVAL and GETSET and compares what COMMAND INFO / DOCS /
// GETKEYSANDFLAGS make of them with redis-server 7.0.15's bytes.
func TestKeySpecsMatchRedis(t *testing.T) {
	tbl := NewTable()
	noop := func(*Ctx) {}
	tbl.Add(&Command{Name: "rename", Arity: 3, Flags: FlagWrite, FirstKey: 1, LastKey: 2, Step: 1,
		Categories: []string{"keyspace"}, Handler: noop,
		KeySpecs: []KeySpec{
			{Flags: []string{"RW", "access", "delete"}, Index: 1, KeyStep: 1},
			{Flags: []string{"OW", "update"}, Index: 2, KeyStep: 1}},
		Summary: "Rename a key", Since: "1.0.0", Group: "generic", Complexity: "O(1)",
		Args: []ArgDoc{{Name: "key", Type: "key"}, {Name: "newkey", Type: "key", KeySpecIndex: 1}}})
	tbl.Add(&Command{Name: "getex", Arity: -2, Flags: FlagWrite | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
		Categories: []string{"string"}, KeyFlags: []string{"RW", "access", "update"},
		KeyNotes: "RW and UPDATE because it changes the TTL", Handler: noop})
	tbl.Add(&Command{Name: "xread", Arity: -4, Flags: FlagReadOnly | FlagBlocking, Categories: []string{"stream"},
		GetKeys: func([][]byte) []int { return nil }, Handler: noop,
		KeySpecs: []KeySpec{{Flags: []string{"RO", "access"}, Keyword: "STREAMS", StartFrom: 1, LastKey: -1, KeyStep: 1, Limit: 2}}})
	tbl.Add(&Command{Name: "eval", Arity: -3, Flags: FlagNoScript | FlagStale | FlagSkipMonitor | FlagMayReplicate | FlagNoMandatoryKeys,
		Categories: []string{"scripting"}, GetKeys: func([][]byte) []int { return nil }, Handler: noop,
		KeySpecs: []KeySpec{{Notes: "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE",
			Flags: []string{"RW", "access", "update"}, Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}})
	tbl.Add(&Command{Name: "getset", Arity: 3, Flags: FlagWrite | FlagDenyOOM | FlagFast, FirstKey: 1, LastKey: 1, Step: 1,
		Handler: noop, Summary: "Set the string value of a key and return its old value", Since: "1.0.0",
		Group: "string", Complexity: "O(1)", DocFlags: []string{"deprecated"}, DeprecatedSince: "6.2.0",
		ReplacedBy: "`SET` with the `!GET` argument",
		Args:       []ArgDoc{{Name: "key", Type: "key"}, {Name: "value", Type: "string"}}})

	info := func(name string) string {
		rec := &respRecorder{}
		writeCommandInfo(rec, tbl.Lookup([]byte(name)))
		return string(rec.b)
	}
	for name, want := range map[string]string{
		"rename": "*10\r\n$6\r\nrename\r\n:3\r\n*1\r\n+write\r\n:1\r\n:2\r\n:1\r\n*3\r\n+@keyspace\r\n+@write\r\n+@slow\r\n*0\r\n*2\r\n*6\r\n$5\r\nflags\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
		"getex":  "*10\r\n$5\r\ngetex\r\n:-2\r\n*2\r\n+write\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$40\r\nRW and UPDATE because it changes the TTL\r\n$5\r\nflags\r\n*3\r\n+RW\r\n+access\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
		"xread":  "*10\r\n$5\r\nxread\r\n:-4\r\n*3\r\n+readonly\r\n+blocking\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*4\r\n+@read\r\n+@stream\r\n+@slow\r\n+@blocking\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$7\r\nSTREAMS\r\n$9\r\nstartfrom\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:2\r\n*0\r\n",
		"eval":   "*10\r\n$4\r\neval\r\n:-3\r\n*5\r\n+noscript\r\n+stale\r\n+skip_monitor\r\n+no_mandatory_keys\r\n+movablekeys\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@scripting\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$78\r\nWe cannot tell how the keys will be used so we assume the worst, RW and UPDATE\r\n$5\r\nflags\r\n*3\r\n+RW\r\n+access\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$6\r\nkeynum\r\n$4\r\nspec\r\n*6\r\n$9\r\nkeynumidx\r\n:0\r\n$8\r\nfirstkey\r\n:1\r\n$7\r\nkeystep\r\n:1\r\n*0\r\n",
	} {
		if got := info(name); got != want {
			t.Errorf("COMMAND INFO %s:\n got %q\nwant %q", name, got, want)
		}
	}

	docs := func(name string) string {
		rec := &respRecorder{}
		writeCommandDocs(rec, tbl.Lookup([]byte(name)))
		return string(rec.b)
	}
	if got, want := docs("getset"), "*16\r\n$7\r\nsummary\r\n$54\r\nSet the string value of a key and return its old value\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\ndoc_flags\r\n*1\r\n+deprecated\r\n$16\r\ndeprecated_since\r\n$5\r\n6.2.0\r\n$11\r\nreplaced_by\r\n$30\r\n`SET` with the `!GET` argument\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*4\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n"; got != want {
		t.Errorf("COMMAND DOCS getset:\n got %q\nwant %q", got, want)
	}
	if got := docs("rename"); !strings.Contains(got, "$6\r\nnewkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:1\r\n") {
		t.Errorf("COMMAND DOCS rename: newkey's key_spec_index: %q", got)
	}

	// GETKEYSANDFLAGS reports each key with its own spec's flags.
	srv := &Server{Table: tbl}
	rec := &respRecorder{}
	srv.Table.Add(&Command{Name: "command", Arity: -1, Handler: noop, Sub: map[string]*Command{
		"getkeysandflags": {Arity: -4, Handler: func(c *Ctx) { commandGetKeys(c, true) }}}})
	srv.Exec(&Session{Authenticated: true}, toBytes([]string{"command", "getkeysandflags", "rename", "a", "b"}), rec)
	if want := "*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n+OW\r\n+update\r\n"; string(rec.b) != want {
		t.Errorf("GETKEYSANDFLAGS rename a b:\n got %q\nwant %q", rec.b, want)
	}
}
