package commands

import (
	"sort"
	"strings"
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
)

var flagNames = []struct {
	f    Flag
	name string
}{
	{FlagWrite, "write"}, {FlagReadOnly, "readonly"}, {FlagDenyOOM, "denyoom"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"},
	{FlagBlocking, "blocking"}, {FlagLoading, "loading"}, {FlagStale, "stale"},
	{FlagSkipMonitor, "skip_monitor"}, {FlagSkipSlowlog, "skip_slowlog"},
	{FlagFast, "fast"}, {FlagNoAuth, "no_auth"}, {FlagMayReplicate, "may_replicate"},
	{FlagNoMulti, "no_multi"}, {FlagAllowBusy, "allow_busy"},
}

// Names returns the Redis names of the flags set in f, in table order.
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
type Ctx struct {
	Srv  *Server
	Sess *Session
	Args [][]byte
	W    Writer
	// Action lets a handler ask the connection loop to close after replying.
	Action Action
}

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
	// ACL categories without the @, e.g. "string", "fast", "keyspace".
	Categories []string
	Summary    string // COMMAND DOCS summary
	Since      string // Redis version that introduced it
	Group      string // COMMAND DOCS group: string, generic, connection, server...
	Complexity string
	// Args documents the arguments for COMMAND DOCS (redis-cli hints).
	Args []ArgDoc
	// Sub holds subcommands (CLIENT ID, CONFIG GET...), keyed by lower-case
	// name; Handler may be nil when every call goes to a subcommand.
	Sub     map[string]*Command
	Handler Handler
	// GetKeys overrides FirstKey/LastKey/Step for commands whose keys cannot
	// be described by the triple; it returns argument indexes.
	GetKeys func(args [][]byte) []int
}

// ArgDoc is one argument in COMMAND DOCS.
type ArgDoc struct {
	Name     string
	Type     string // key, string, integer, double, pattern, unix-time, pure-token, oneof, block
	Token    string
	Optional bool
	Multiple bool
	Args     []ArgDoc // for oneof and block
}

// Table maps command names to rows. It is built once at start-up by the
// Register* functions and read-only afterwards.
type Table struct {
	cmds map[string]*Command
}

// NewTable returns an empty table.
func NewTable() *Table { return &Table{cmds: make(map[string]*Command)} }

// Add registers c; registering a name twice is a programming error and panics.
func (t *Table) Add(c *Command) {
	name := strings.ToLower(c.Name)
	if _, dup := t.cmds[name]; dup {
		panic("commands: duplicate registration of " + name)
	}
	c.Name = name
	t.cmds[name] = c
}

// Lookup finds a command by name, case-insensitively.
func (t *Table) Lookup(name []byte) *Command {
	if c, ok := t.cmds[string(name)]; ok {
		return c
	}
	return t.cmds[strings.ToLower(string(name))]
}

// All returns the rows sorted by name.
func (t *Table) All() []*Command {
	out := make([]*Command, 0, len(t.cmds))
	for _, c := range t.cmds {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Len is the number of top-level commands.
func (t *Table) Len() int { return len(t.cmds) }
