package commands

import (
	"sort"
	"strings"
	"sync/atomic"
)

// Flag describes a command for dispatch checks and COMMAND INFO. The names
// are Redis's command flags.
type Flag uint32

const (
	FlagWrite Flag = 1 << iota
	FlagReadOnly
	FlagDenyOOM
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagFast
	FlagNoAuth // may run before AUTH (AUTH, HELLO, QUIT)
	FlagMayReplicate
	FlagNoMulti
	FlagAllowBusy
	FlagNoMandatoryKeys // EVAL and friends: may run without keys
	FlagNoAsyncLoading
	FlagAsking
)

// flagMovableKeys is not a row flag: COMMAND INFO reports "movablekeys"
// for rows with GetKeys, at this place in Redis's order.
const flagMovableKeys Flag = 1 << 31

// flagNames is Redis's order of flags in COMMAND INFO. may_replicate is
// known but, as in Redis, not reported.
var flagNames = []struct {
	f    Flag
	name string
}{
	{FlagWrite, "write"}, {FlagReadOnly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"},
	{FlagBlocking, "blocking"}, {FlagLoading, "loading"}, {FlagStale, "stale"},
	{FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"}, {FlagAsking, "asking"},
	{FlagFast, "fast"}, {FlagNoAuth, "no_auth"}, {FlagNoMandatoryKeys, "no_mandatory_keys"},
	{FlagNoAsyncLoading, "no_async_loading"}, {FlagNoMulti, "no_multi"},
	{flagMovableKeys, "movablekeys"}, {FlagAllowBusy, "allow_busy"},
}

// Names returns the Redis names of the flags set in f, in the order
// COMMAND INFO lists them.
func (f Flag) Names() []string {
	var out []string
	for _, n := range flagNames {
		if f&n.f != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// Ctx is what a handler gets: the server, the session, the arguments
// (Args[0] is the command name as the client sent it) and the reply writer.
// Args alias the connection's read buffer: copy what outlives the call.
// The Ctx itself is reused for the session's next command: a handler must
// not keep it after returning.
type Ctx struct {
	Srv  *Server
	Sess *Session
	Args [][]byte
	W    Writer
	// Cmd is the row being run (the subcommand's row for CLIENT ID...).
	Cmd *Command
	// Action lets a handler ask the connection loop to close after replying.
	Action Action
}

// DB is the session's selected database.
func (c *Ctx) DB() int { return c.Sess.DB }

// Handler runs one command. Arity, authentication and OOM have already been
// checked by the dispatcher.
type Handler func(c *Ctx)

// Command is one row of the command table: the single place that knows a
// command. Dispatch checks, COMMAND, COMMAND INFO/DOCS/GETKEYS and the
// README's command list are all generated from these rows.
type Command struct {
	Name  string // lower case
	Arity int    // Redis convention: N exact, -N at least N (name included)
	Flags Flag
	// Key positions, Redis's legacy (first, last, step) triple: last -1 means
	// the last argument, -2 the one before, and so on; first 0 means no keys.
	FirstKey, LastKey, Step int
	// KeyFlags are the key-spec flags COMMAND INFO reports, e.g. "RW",
	// "access", "update" (Redis's names). Empty derives them from Flags:
	// "RO access" for read-only commands, "RW update" for writes.
	KeyFlags []string
	// KeyNotes is the key spec's "notes" in COMMAND INFO (Redis explains
	// unusual flags there).
	KeyNotes string
	// KeySpecs, when set, replace the single key spec COMMAND INFO derives
	// from (FirstKey, LastKey, Step, KeyFlags): commands whose keys play
	// different roles (RENAME's source and destination) have one spec per
	// role. Documented key arguments point at them with KeySpecIndex.
	// They only describe the keys; the dispatcher still finds them with
	// the triple or GetKeys.
	KeySpecs []KeySpec
	// ACL categories without the @, e.g. "string", "keyspace". The
	// categories Redis derives from flags (read, write, fast, slow, admin,
	// dangerous, pubsub, blocking) are added by COMMAND INFO: list only the
	// others.
	Categories []string
	// Tips are COMMAND INFO's command tips, e.g. "nondeterministic_output".
	Tips       []string
	Summary    string // COMMAND DOCS summary
	Since      string // Redis version that introduced it
	Group      string // COMMAND DOCS group: string, generic, connection, server...
	Complexity string
	// History is COMMAND DOCS history: (version, change) pairs.
	History [][2]string
	// DocFlags ("deprecated", "syscmd"), DeprecatedSince and ReplacedBy
	// are COMMAND DOCS fields of deprecated commands.
	DocFlags        []string
	DeprecatedSince string
	ReplacedBy      string
	// Args documents the arguments for COMMAND DOCS (redis-cli hints).
	Args []ArgDoc
	// Sub holds subcommands (CLIENT ID, CONFIG GET...), keyed by lower-case
	// name; Handler may be nil when every call goes to a subcommand.
	Sub     map[string]*Command
	Handler Handler
	// GetKeys overrides FirstKey/LastKey/Step for commands whose keys cannot
	// be described by the triple; it returns argument indexes.
	GetKeys func(args [][]byte) []int
	// Redact, when set, returns the arguments SLOWLOG may show (AUTH's
	// password becomes "(redacted)"). It may modify and return args.
	Redact func(args [][]byte) [][]byte

	// Set by Table.Add.
	fullName string // "client|setname" for subcommands
	parent   *Command
	stats    *cmdStats
}

// FullName is the name Redis reports in errors, INFO commandstats and
// COMMAND INFO: "get", or "client|setname" for a subcommand.
func (c *Command) FullName() string {
	if c.fullName == "" {
		return c.Name
	}
	return c.fullName
}

// Parent is the container of a subcommand, nil for a top-level command.
func (c *Command) Parent() *Command { return c.parent }

// cmdStats are one row's INFO commandstats counters. They are atomics
// because every connection goroutine updates them.
type cmdStats struct {
	calls    atomic.Int64
	nanos    atomic.Int64
	rejected atomic.Int64 // refused by the dispatcher (arity, auth, OOM)
	failed   atomic.Int64 // ran and replied with an error
}

func (st *cmdStats) reset() {
	st.calls.Store(0)
	st.nanos.Store(0)
	st.rejected.Store(0)
	st.failed.Store(0)
}

// KeySpec is one Redis 7 key specification: how to find a group of keys
// in the arguments and what the command does with them.
type KeySpec struct {
	Notes string
	Flags []string // RO, RW, OW, RM and access, update, insert, delete...
	// Begin search: at argument Index, or after the argument equal to
	// Keyword (searched from StartFrom; negative counts from the end).
	Index     int
	Keyword   string
	StartFrom int
	// Find keys: a range (LastKey relative to the first key, -1 = up to
	// the last argument; KeyStep; Limit) or, with KeyNum, a count found at
	// KeyNumIdx (relative to the begin search) followed by keys from
	// FirstKey every KeyStep.
	LastKey, KeyStep, Limit int
	KeyNum                  bool
	KeyNumIdx, FirstKey     int
}

// ArgDoc is one argument in COMMAND DOCS.
type ArgDoc struct {
	Name string
	Type string // key, string, integer, double, pattern, unix-time, pure-token, oneof, block
	// KeySpecIndex is, for a key argument, the index of its spec in
	// KeySpecs (0 with the derived single spec).
	KeySpecIndex    int
	Token           string
	DisplayText     string
	Since           string
	DeprecatedSince string
	Optional        bool
	Multiple        bool
	MultipleToken   bool
	Args            []ArgDoc // for oneof and block
}

// Table maps command names to rows. It is built once at start-up by the
// Register* functions and read-only afterwards.
type Table struct {
	cmds map[string]*Command
	// waits is the registry of clients blocked on keys (blocking.go),
	// made by the first family that registers a blocking command.
	waits *blocking
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{cmds: make(map[string]*Command)} }

// Add registers c and its subcommands; registering a name twice is a
// programming error and panics.
func (t *Table) Add(c *Command) {
	name := strings.ToLower(c.Name)
	if _, dup := t.cmds[name]; dup {
		panic("commands: duplicate registration of " + name)
	}
	c.Name = name
	c.fullName = name
	c.stats = new(cmdStats)
	if len(c.Sub) > 0 {
		subs := make(map[string]*Command, len(c.Sub))
		for key, sc := range c.Sub {
			if sc.Name == "" {
				sc.Name = key
			}
			sc.Name = strings.ToLower(sc.Name)
			if _, dup := subs[sc.Name]; dup {
				panic("commands: duplicate subcommand " + name + "|" + sc.Name)
			}
			sc.fullName = name + "|" + sc.Name
			sc.parent = c
			sc.stats = new(cmdStats)
			subs[sc.Name] = sc
		}
		c.Sub = subs
	}
	t.cmds[name] = c
}

// maxNameLen bounds the names lookups fold to lower case on the stack;
// every Redis command and subcommand name is shorter.
const maxNameLen = 48

// lookupFold finds name in m case-insensitively (ASCII, as Redis's
// strcasecmp) without allocating. It costs one map lookup whatever the
// case: clients send both "GET" and "get", and a miss on the name as sent
// followed by a second lookup of the folded name showed in profiles.
func lookupFold(m map[string]*Command, name []byte) *Command {
	if len(name) > maxNameLen {
		return nil
	}
	var buf [maxNameLen]byte
	upper := false
	for i, ch := range name {
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
			upper = true
		}
		buf[i] = ch
	}
	if !upper {
		return m[string(name)]
	}
	return m[string(buf[:len(name)])]
}

// Lookup finds a top-level command by name, case-insensitively.
func (t *Table) Lookup(name []byte) *Command { return lookupFold(t.cmds, name) }

// LookupSub finds a subcommand of c by name, case-insensitively.
func (c *Command) LookupSub(name []byte) *Command { return lookupFold(c.Sub, name) }

// All returns the rows sorted by name.
func (t *Table) All() []*Command {
	out := make([]*Command, 0, len(t.cmds))
	for _, c := range t.cmds {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Subcommands returns c's subcommands sorted by name.
func (c *Command) Subcommands() []*Command {
	out := make([]*Command, 0, len(c.Sub))
	for _, sc := range c.Sub {
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Len is the number of top-level commands.
func (t *Table) Len() int { return len(t.cmds) }

// arityOK reports whether n arguments (name included) satisfy arity.
func arityOK(arity, n int) bool {
	if arity >= 0 {
		return n == arity
	}
	return n >= -arity
}

// KeyIndexes returns the indexes in args of the keys the command touches,
// from GetKeys or the (first, last, step) triple. args must satisfy the
// row's arity.
func (c *Command) KeyIndexes(args [][]byte) []int {
	if c.GetKeys != nil {
		return c.GetKeys(args)
	}
	if c.FirstKey <= 0 || c.FirstKey >= len(args) {
		return nil
	}
	last := c.LastKey
	if last < 0 {
		last = len(args) + last
	}
	if last >= len(args) {
		last = len(args) - 1
	}
	step := max(c.Step, 1)
	var out []int
	for i := c.FirstKey; i <= last; i += step {
		out = append(out, i)
	}
	return out
}
