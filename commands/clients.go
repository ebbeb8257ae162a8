package commands

import (
	"strconv"
	"strings"
	"time"

	"github.com/nebredis/nebredis/internal/redisnum"
)

// RegisterClient adds CLIENT and its subcommands.
func RegisterClient(t *Table) {
	const flags = FlagNoScript | FlagLoading | FlagStale
	cats := []string{"connection"}
	t.Add(&Command{Name: "client", Arity: -2, Group: "connection", Since: "2.4.0",
		Summary: "A container for client connection commands", Complexity: "Depends on subcommand.",
		Sub: map[string]*Command{
			"id": {Arity: 2, Flags: flags, Categories: cats, Group: "connection", Since: "5.0.0",
				Summary: "Returns the client ID for the current connection", Complexity: "O(1)",
				Handler: func(c *Ctx) { c.W.WriteInt(c.Sess.ID) }},
			"getname": {Arity: 2, Flags: flags, Categories: cats, Group: "connection", Since: "2.6.9",
				Summary: "Get the current connection name", Complexity: "O(1)",
				Handler: func(c *Ctx) {
					if c.Sess.Name == "" {
						c.W.WriteNull()
						return
					}
					c.W.WriteBulkString(c.Sess.Name)
				}},
			"setname": {Arity: 3, Flags: flags, Categories: cats, Group: "connection", Since: "2.6.9",
				Summary: "Set the current connection name", Complexity: "O(1)",
				Args: []ArgDoc{{Name: "connection-name", Type: "string"}},
				Handler: func(c *Ctx) {
					if !validClientName(c.Args[2]) {
						c.W.WriteError(errClientName)
						return
					}
					c.Sess.SetName(string(c.Args[2]))
					c.W.WriteSimple("OK")
				}},
			"setinfo": {Arity: 4, Flags: flags, Categories: cats, Group: "connection", Since: "7.2.0",
				Summary:    "Set client or connection specific info",
				Complexity: "O(1)",
				Tips:       []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
				Args: []ArgDoc{{Name: "attr", Type: "oneof", Args: []ArgDoc{
					{Name: "libname", Type: "string", Token: "LIB-NAME"},
					{Name: "libver", Type: "string", Token: "LIB-VER"}}}},
				Handler: clientSetInfo},
			"info": {Arity: 2, Flags: flags, Categories: cats, Group: "connection", Since: "6.2.0",
				Summary: "Returns information about the current client connection.", Complexity: "O(1)",
				Tips: []string{"nondeterministic_output"},
				Handler: func(c *Ctx) {
					c.W.WriteVerbatim("txt", c.Srv.clientLine(c.Sess.snapshot(), time.Now()))
				}},
			"list": {Arity: -2, Flags: FlagAdmin | flags, Categories: cats, Group: "connection", Since: "2.4.0",
				Summary:    "Get the list of client connections",
				Complexity: "O(N) where N is the number of client connections",
				Tips:       []string{"nondeterministic_output"},
				History: [][2]string{{"2.8.12", "Added unique client `id` field."},
					{"5.0.0", "Added optional `TYPE` filter."},
					{"6.0.0", "Added `user` field."},
					{"6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."},
					{"7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."},
					{"7.0.3", "Added `ssub` field."}},
				Args: []ArgDoc{
					{Name: "normal_master_replica_pubsub", Type: "oneof", Token: "TYPE", Since: "5.0.0", Optional: true,
						Args: clientTypeArgs},
					{Name: "id", Type: "block", Token: "ID", Since: "6.2.0", Optional: true,
						Args: []ArgDoc{{Name: "client-id", Type: "integer", Multiple: true}}}},
				Handler: clientList},
			"kill": {Arity: -3, Flags: FlagAdmin | flags, Categories: cats, Group: "connection", Since: "2.4.0",
				Summary:    "Kill the connection of a client",
				Complexity: "O(N) where N is the number of client connections",
				History: [][2]string{{"2.8.12", "Added new filter format."},
					{"2.8.12", "`ID` option."},
					{"3.2.0", "Added `master` type in for `TYPE` option."},
					{"5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."},
					{"6.2.0", "`LADDR` option."}},
				Args: []ArgDoc{{Name: "filter", Type: "oneof", Args: []ArgDoc{
					{Name: "ip:port", Type: "string", DeprecatedSince: "2.8.12"},
					{Name: "new-format", Type: "oneof", Multiple: true, Args: []ArgDoc{
						{Name: "client-id", Type: "integer", Token: "ID", Since: "2.8.12", Optional: true},
						{Name: "normal_master_slave_pubsub", Type: "oneof", Token: "TYPE", Since: "2.8.12", Optional: true,
							Args: []ArgDoc{
								{Name: "normal", Type: "pure-token", Token: "NORMAL"},
								{Name: "master", Type: "pure-token", Token: "MASTER", Since: "3.2.0"},
								{Name: "slave", Type: "pure-token", Token: "SLAVE"},
								{Name: "replica", Type: "pure-token", Token: "REPLICA", Since: "5.0.0"},
								{Name: "pubsub", Type: "pure-token", Token: "PUBSUB"}}},
						{Name: "username", Type: "string", Token: "USER", Optional: true},
						{Name: "ip:port", Type: "string", Token: "ADDR", Optional: true},
						{Name: "ip:port", Type: "string", Token: "LADDR", Since: "6.2.0", Optional: true},
						{Name: "yes/no", Type: "string", Token: "SKIPME", Optional: true}}}}}},
				Handler: clientKill},
			"no-evict": {Arity: 3, Flags: FlagAdmin | flags, Categories: cats, Group: "connection", Since: "7.0.0",
				Summary: "Set client eviction mode for the current connection", Complexity: "O(1)",
				Args: []ArgDoc{{Name: "enabled", Type: "oneof", Args: []ArgDoc{
					{Name: "on", Type: "pure-token", Token: "ON"}, {Name: "off", Type: "pure-token", Token: "OFF"}}}},
				Handler: func(c *Ctx) {
					switch {
					case isArg(c.Args[2], "on"):
						c.Sess.SetNoEvict(true)
					case isArg(c.Args[2], "off"):
						c.Sess.SetNoEvict(false)
					default:
						c.W.WriteError(ErrSyntax)
						return
					}
					c.W.WriteSimple("OK")
				}},
			"help": withCategories(helpCommand("5.0.0", "connection", clientHelp), cats),
		}})
}

func withCategories(c *Command, cats []string) *Command {
	c.Categories = cats
	return c
}

var clientTypeArgs = []ArgDoc{
	{Name: "normal", Type: "pure-token", Token: "NORMAL"},
	{Name: "master", Type: "pure-token", Token: "MASTER"},
	{Name: "replica", Type: "pure-token", Token: "REPLICA"},
	{Name: "pubsub", Type: "pure-token", Token: "PUBSUB"},
}

// clientHelp is Redis's text for the subcommands nebredis implements.
var clientHelp = []string{
	"CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GETNAME",
	"    Return the name of the current connection.",
	"ID",
	"    Return the ID of the current connection.",
	"INFO",
	"    Return information about the current client connection.",
	"KILL <ip:port>",
	"    Kill connection made from <ip:port>.",
	"KILL <option> <value> [<option> <value> [...]]",
	"    Kill connections. Options are:",
	"    * ADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made from the specified address",
	"    * LADDR (<ip:port>|<unixsocket>:0)",
	"      Kill connections made to specified local address",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Kill connections by type.",
	"    * USER <username>",
	"      Kill connections authenticated by <username>.",
	"    * SKIPME (YES|NO)",
	"      Skip killing current connection (default: yes).",
	"LIST [options ...]",
	"    Return information about client connections. Options:",
	"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
	"      Return clients of specified type.",
	"SETNAME <name>",
	"    Assign the name <name> to the current connection.",
	"SETINFO <option> <value>",
	"    Set client meta attr. Options are:",
	"    * LIB-NAME: the client lib name.",
	"    * LIB-VER: the client lib version.",
	"NO-EVICT (ON|OFF)",
	"    Protect current client connection from eviction.",
	"HELP",
	"    Prints this help.",
}

const errClientName = "ERR Client names cannot contain spaces, newlines or special characters."

// validClientName: CLIENT LIST prints names space-separated, so they may
// hold only printable ASCII other than space (Redis's rule).
func validClientName(b []byte) bool {
	for _, ch := range b {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

func clientSetInfo(c *Ctx) {
	attr, val := c.Args[2], c.Args[3]
	var key string
	switch {
	case isArg(attr, "lib-name"):
		key = "lib-name"
	case isArg(attr, "lib-ver"):
		key = "lib-ver"
	default:
		c.W.WriteError(sanitizeError("ERR Unrecognized option '" + string(truncate(attr, 1<<20)) + "'"))
		return
	}
	if !validClientName(val) {
		c.W.WriteError(sanitizeError("ERR " + string(truncate(attr, 1<<20)) + " cannot contain spaces, newlines or special characters."))
		return
	}
	c.Sess.SetLib(key, string(val))
	c.W.WriteSimple("OK")
}

// clientType parses a TYPE filter; a nebredis client is "normal" or, with
// subscriptions, "pubsub".
func clientType(b []byte) (string, bool) {
	for _, t := range []string{"normal", "master", "replica", "slave", "pubsub"} {
		if isArg(b, t) {
			if t == "slave" {
				t = "replica"
			}
			return t, true
		}
	}
	return "", false
}

func clientList(c *Ctx) {
	var ids map[int64]bool
	typ := ""
	switch {
	case len(c.Args) == 4 && isArg(c.Args[2], "type"):
		t, ok := clientType(c.Args[3])
		if !ok {
			c.W.WriteError(sanitizeError("ERR Unknown client type '" + string(truncate(c.Args[3], 1<<20)) + "'"))
			return
		}
		typ = t
	case len(c.Args) > 3 && isArg(c.Args[2], "id"):
		ids = make(map[int64]bool)
		for _, a := range c.Args[3:] {
			id, ok := redisnum.ParseInt(a)
			if !ok {
				c.W.WriteError("ERR Invalid client ID")
				return
			}
			ids[id] = true
		}
	case len(c.Args) != 2:
		c.W.WriteError(ErrSyntax)
		return
	}
	now := time.Now()
	var b strings.Builder
	for _, sess := range c.Srv.sessions() {
		if sess.killed.Load() || (ids != nil && !ids[sess.ID]) {
			continue
		}
		v := sess.snapshot()
		if typ != "" && typ != v.clientType() {
			continue
		}
		b.WriteString(c.Srv.clientLine(v, now))
	}
	c.W.WriteVerbatim("txt", b.String())
}

// clientLine formats one CLIENT LIST line, newline included. Fields
// nebredis does not track (buffers) show Redis's idle values.
func (s *Server) clientLine(v sessionView, now time.Time) string {
	flags := ""
	if v.pubsubMode() {
		flags += "P"
	}
	if v.multi >= 0 {
		flags += "x"
	}
	if v.dirtyCAS {
		flags += "d"
	}
	if v.noEvict {
		flags += "e"
	}
	if flags == "" {
		flags = "N"
	}
	var b strings.Builder
	b.Grow(256)
	field := func(k, val string) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(val)
	}
	itoa := func(n int64) string { return strconv.FormatInt(n, 10) }
	field("id", itoa(v.id))
	field("addr", v.addr)
	field("laddr", v.laddr)
	field("fd", itoa(int64(v.fd)))
	field("name", v.name)
	field("age", itoa(int64(now.Sub(v.created)/time.Second)))
	field("idle", itoa(max(now.UnixMilli()-v.lastActive, 0)/1000))
	field("flags", flags)
	field("db", itoa(int64(v.db)))
	field("sub", itoa(v.sub))
	field("psub", itoa(v.psub))
	field("ssub", itoa(v.ssub))
	field("multi", itoa(v.multi))
	for _, k := range []string{"qbuf", "qbuf-free", "argv-mem"} {
		field(k, "0")
	}
	field("multi-mem", itoa(v.multiMem))
	for _, k := range []string{"rbs", "rbp", "obl", "oll", "omem", "tot-mem"} {
		field(k, "0")
	}
	field("events", "r")
	field("cmd", v.cmd)
	field("user", "default")
	field("redir", "-1")
	field("resp", itoa(int64(v.proto)))
	field("lib-name", v.libName)
	field("lib-ver", v.libVer)
	b.WriteByte('\n')
	return b.String()
}

func clientKill(c *Ctx) {
	var (
		id          int64
		addr, laddr []byte
		typ         string
		skipMe      = true
	)
	oldForm := len(c.Args) == 3
	if oldForm {
		addr, skipMe = c.Args[2], false // the old form may kill the caller
	} else {
		for i := 2; i < len(c.Args); i += 2 {
			if i+1 >= len(c.Args) {
				c.W.WriteError(ErrSyntax)
				return
			}
			opt, val := c.Args[i], c.Args[i+1]
			switch {
			case isArg(opt, "id"):
				n, ok := redisnum.ParseInt(val)
				if !ok || n < 1 {
					c.W.WriteError("ERR client-id should be greater than 0")
					return
				}
				id = n
			case isArg(opt, "type"):
				t, ok := clientType(val)
				if !ok {
					c.W.WriteError(sanitizeError("ERR Unknown client type '" + string(truncate(val, 1<<20)) + "'"))
					return
				}
				typ = t
			case isArg(opt, "addr"):
				addr = val
			case isArg(opt, "laddr"):
				laddr = val
			case isArg(opt, "user"):
				if string(val) != "default" {
					c.W.WriteError(sanitizeError("ERR No such user '" + string(truncate(val, 1<<20)) + "'"))
					return
				}
			case isArg(opt, "skipme"):
				switch {
				case isArg(val, "yes"):
					skipMe = true
				case isArg(val, "no"):
					skipMe = false
				default:
					c.W.WriteError(ErrSyntax)
					return
				}
			default:
				c.W.WriteError(ErrSyntax)
				return
			}
		}
	}
	killed := 0
	for _, sess := range c.Srv.sessions() {
		if sess.killed.Load() ||
			(addr != nil && sess.Addr != string(addr)) ||
			(laddr != nil && sess.LocalAddr != string(laddr)) ||
			(id != 0 && sess.ID != id) ||
			(typ != "" && typ != sess.snapshot().clientType()) ||
			(skipMe && sess == c.Sess) {
			continue
		}
		killed++
		sess.killed.Store(true)
		if sess == c.Sess {
			c.Action = Close // after this reply
			continue
		}
		if sess.Kill != nil {
			sess.Kill()
		}
	}
	if oldForm {
		if killed == 0 {
			c.W.WriteError("ERR No such client")
		} else {
			c.W.WriteSimple("OK")
		}
		return
	}
	c.W.WriteInt(int64(killed))
}
