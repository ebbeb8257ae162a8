package commands

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// slowlog keeps the newest slowlog-max-len commands that took at least
// slowlog-log-slower-than microseconds, as SLOWLOG GET shows them.
type slowlog struct {
	maxLen atomic.Int64

	mu      sync.Mutex     // guards entries, nextID
	entries []slowlogEntry // oldest first
	nextID  int64
}

type slowlogEntry struct {
	id     int64
	at     int64 // unix seconds
	micros int64
	args   [][]byte // copied and truncated
	addr   string
	name   string
}

// Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING: longer
// commands are summarised so that the log stays small.
const (
	slowlogMaxArgs   = 32
	slowlogMaxString = 128
)

func (l *slowlog) setMaxLen(n int) {
	l.maxLen.Store(int64(n))
	l.mu.Lock()
	l.trimLocked()
	l.mu.Unlock()
}

func (l *slowlog) trimLocked() {
	if over := len(l.entries) - int(max(l.maxLen.Load(), 0)); over > 0 {
		l.entries = append(l.entries[:0], l.entries[over:]...)
	}
}

// add records one command; args are copied.
func (l *slowlog) add(args [][]byte, start time.Time, d time.Duration, addr, name string) {
	e := slowlogEntry{at: start.Unix(), micros: d.Microseconds(), addr: addr, name: name}
	n := min(len(args), slowlogMaxArgs)
	e.args = make([][]byte, n)
	for i := 0; i < n; i++ {
		a := args[i]
		switch {
		case n != len(args) && i == n-1:
			e.args[i] = []byte("... (" + strconv.Itoa(len(args)-n+1) + " more arguments)")
		case len(a) > slowlogMaxString:
			b := append([]byte(nil), a[:slowlogMaxString]...)
			e.args[i] = append(b, "... ("+strconv.Itoa(len(a)-slowlogMaxString)+" more bytes)"...)
		default:
			e.args[i] = append([]byte(nil), a...)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e.id = l.nextID
	l.nextID++
	if l.maxLen.Load() <= 0 {
		return
	}
	l.entries = append(l.entries, e)
	l.trimLocked()
}

// newest returns up to n entries, newest first (n < 0: all).
func (l *slowlog) newest(n int) []slowlogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n < 0 || n > len(l.entries) {
		n = len(l.entries)
	}
	out := make([]slowlogEntry, n)
	for i := range out {
		out[i] = l.entries[len(l.entries)-1-i]
	}
	return out
}

func (l *slowlog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

func (l *slowlog) reset() {
	l.mu.Lock()
	l.entries = nil
	l.mu.Unlock()
}

// slowlogCommand is SLOWLOG's row.
func slowlogCommand() *Command {
	return &Command{Name: "slowlog", Arity: -2, Group: "server", Since: "2.2.12",
		Summary: "A container for slow log commands", Complexity: "Depends on subcommand.",
		Sub: map[string]*Command{
			"get": {Arity: -2, Flags: FlagAdmin | FlagLoading | FlagStale, Since: "2.2.12", Group: "server",
				Summary:    "Get the slow log's entries",
				Complexity: "O(N) where N is the number of entries returned",
				Tips:       []string{"request_policy:all_nodes", "nondeterministic_output"},
				History:    [][2]string{{"4.0.0", "Added client IP address, port and name to the reply."}},
				Args:       []ArgDoc{{Name: "count", Type: "integer", Optional: true}},
				Handler:    slowlogGet},
			"len": {Arity: 2, Flags: FlagAdmin | FlagLoading | FlagStale, Since: "2.2.12", Group: "server",
				Summary: "Get the slow log's length", Complexity: "O(1)",
				Tips:    []string{"request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"},
				Handler: func(c *Ctx) { c.W.WriteInt(int64(c.Srv.slowlog.len())) }},
			"reset": {Arity: 2, Flags: FlagAdmin | FlagLoading | FlagStale, Since: "2.2.12", Group: "server",
				Summary: "Clear all entries from the slow log", Complexity: "O(N) where N is the number of entries in the slowlog",
				Tips:    []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
				Handler: func(c *Ctx) { c.Srv.slowlog.reset(); c.W.WriteSimple("OK") }},
			"help": helpCommand("6.2.0", "server", slowlogHelp),
		}}
}

var slowlogHelp = []string{
	"SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET [<count>]",
	"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
	"    Entries are made of:",
	"    id, timestamp, time in microseconds, arguments array, client IP and port,",
	"    client name",
	"LEN",
	"    Return the length of the slowlog.",
	"RESET",
	"    Reset the slowlog.",
	"HELP",
	"    Prints this help.",
}

func slowlogGet(c *Ctx) {
	if len(c.Args) > 3 {
		c.W.WriteError(subcommandSyntaxError(c))
		return
	}
	n := 10
	if len(c.Args) == 3 {
		v, err := strconv.ParseInt(string(c.Args[2]), 10, 64)
		if err != nil || v < -1 {
			c.W.WriteError("ERR count should be greater than or equal to -1")
			return
		}
		n = int(min(v, 1<<30))
	}
	entries := c.Srv.slowlog.newest(n)
	c.W.WriteArray(len(entries))
	for _, e := range entries {
		c.W.WriteArray(6)
		c.W.WriteInt(e.id)
		c.W.WriteInt(e.at)
		c.W.WriteInt(e.micros)
		c.W.WriteArray(len(e.args))
		for _, a := range e.args {
			c.W.WriteBulk(a)
		}
		c.W.WriteBulkString(e.addr)
		c.W.WriteBulkString(e.name)
	}
}
