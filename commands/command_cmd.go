package commands

import (
	"strings"

	"github.com/nebredis/nebredis/internal/glob"
)

// RegisterCommandCmd adds COMMAND and its subcommands: everything they
// report is generated from the table rows.
func RegisterCommandCmd(t *Table) {
	const flags = FlagLoading | FlagStale
	cats := []string{"connection"}
	t.Add(&Command{Name: "command", Arity: -1, Flags: flags, Categories: cats, Group: "server", Since: "2.8.13",
		Summary:    "Get array of Redis command details",
		Complexity: "O(N) where N is the total number of Redis commands",
		Tips:       []string{"nondeterministic_output_order"},
		Handler: func(c *Ctx) {
			all := c.Srv.Table.All()
			c.W.WriteArray(len(all))
			for _, cmd := range all {
				writeCommandInfo(c.W, cmd)
			}
		},
		Sub: map[string]*Command{
			"count": {Arity: 2, Flags: flags, Categories: cats, Group: "server", Since: "2.8.13",
				Summary: "Get total number of Redis commands", Complexity: "O(1)",
				Handler: func(c *Ctx) { c.W.WriteInt(int64(c.Srv.Table.Len())) }},
			"info": {Arity: -2, Flags: flags, Categories: cats, Group: "server", Since: "2.8.13",
				Summary:    "Get array of specific Redis command details, or all when no argument is given.",
				Complexity: "O(N) where N is the number of commands to look up",
				Tips:       []string{"nondeterministic_output_order"},
				History:    [][2]string{{"7.0.0", "Allowed to be called with no argument to get info on all commands."}},
				Args:       []ArgDoc{{Name: "command-name", Type: "string", Optional: true, Multiple: true}},
				Handler:    commandInfo},
			"docs": {Arity: -2, Flags: flags, Categories: cats, Group: "server", Since: "7.0.0",
				Summary:    "Get array of specific Redis command documentation",
				Complexity: "O(N) where N is the number of commands to look up",
				Tips:       []string{"nondeterministic_output_order"},
				Args:       []ArgDoc{{Name: "command-name", Type: "string", Optional: true, Multiple: true}},
				Handler:    commandDocs},
			"getkeys": {Arity: -4, Flags: flags, Categories: cats, Group: "server", Since: "2.8.13",
				Summary:    "Extract keys given a full Redis command",
				Complexity: "O(N) where N is the number of arguments to the command",
				Handler:    func(c *Ctx) { commandGetKeys(c, false) }},
			"getkeysandflags": {Arity: -4, Flags: flags, Categories: cats, Group: "server", Since: "7.0.0",
				Summary:    "Extract keys and access flags given a full Redis command",
				Complexity: "O(N) where N is the number of arguments to the command",
				Handler:    func(c *Ctx) { commandGetKeys(c, true) }},
			"list": {Arity: -2, Flags: flags, Categories: cats, Group: "server", Since: "7.0.0",
				Summary:    "Get an array of Redis command names",
				Complexity: "O(N) where N is the total number of Redis commands",
				Tips:       []string{"nondeterministic_output_order"},
				Args: []ArgDoc{{Name: "filterby", Type: "oneof", Token: "FILTERBY", Optional: true, Args: []ArgDoc{
					{Name: "module-name", Type: "string", Token: "MODULE"},
					{Name: "category", Type: "string", Token: "ACLCAT"},
					{Name: "pattern", Type: "pattern", Token: "PATTERN"}}}},
				Handler: commandList},
			"help": withCategories(helpCommand("5.0.0", "server", commandHelp), cats),
		}})
}

var commandHelp = []string{
	"COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"(no subcommand)",
	"    Return details about all Redis commands.",
	"COUNT",
	"    Return the total number of commands in this Redis server.",
	"LIST",
	"    Return a list of all commands in this Redis server.",
	"INFO [<command-name> ...]",
	"    Return details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"DOCS [<command-name> ...]",
	"    Return documentation details about multiple Redis commands.",
	"    If no command names are given, documentation details for all",
	"    commands are returned.",
	"GETKEYS <full-command>",
	"    Return the keys from a full Redis command.",
	"GETKEYSANDFLAGS <full-command>",
	"    Return the keys and the access flags from a full Redis command.",
	"HELP",
	"    Prints this help.",
}

// lookupFullName finds "get" or "client|list" (COMMAND INFO and DOCS).
func (t *Table) lookupFullName(name []byte) *Command {
	parent, sub, hasSub := strings.Cut(string(name), "|")
	cmd := t.Lookup([]byte(parent))
	if cmd == nil || !hasSub {
		return cmd
	}
	return cmd.LookupSub([]byte(sub))
}

func commandInfo(c *Ctx) {
	if len(c.Args) == 2 {
		all := c.Srv.Table.All()
		c.W.WriteArray(len(all))
		for _, cmd := range all {
			writeCommandInfo(c.W, cmd)
		}
		return
	}
	c.W.WriteArray(len(c.Args) - 2)
	for _, name := range c.Args[2:] {
		if cmd := c.Srv.Table.lookupFullName(name); cmd != nil {
			writeCommandInfo(c.W, cmd)
		} else {
			c.W.WriteNull()
		}
	}
}

// aclCategories is Redis's category order, in which COMMAND INFO lists them.
var aclCategories = []string{"keyspace", "read", "write", "set", "sortedset", "list", "hash", "string",
	"bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
	"dangerous", "connection", "transaction", "scripting"}

// Categories returns the row's ACL categories, with the ones Redis derives
// from the flags added, in Redis's order and without the @.
func (c *Command) AllCategories() []string {
	has := make(map[string]bool, len(c.Categories)+3)
	for _, cat := range c.Categories {
		has[cat] = true
	}
	if c.parent == nil && len(c.Sub) > 0 && c.Flags == 0 {
		// A bare container is only @slow in Redis.
		has = map[string]bool{"slow": true}
	} else {
		has["write"] = has["write"] || c.Flags&FlagWrite != 0
		has["read"] = has["read"] || (c.Flags&FlagReadOnly != 0 && !has["scripting"])
		has["admin"] = has["admin"] || c.Flags&FlagAdmin != 0
		has["dangerous"] = has["dangerous"] || c.Flags&FlagAdmin != 0
		has["pubsub"] = has["pubsub"] || c.Flags&FlagPubSub != 0
		has["fast"] = has["fast"] || c.Flags&FlagFast != 0
		has["blocking"] = has["blocking"] || c.Flags&FlagBlocking != 0
		has["slow"] = has["slow"] || c.Flags&FlagFast == 0
	}
	var out []string
	for _, cat := range aclCategories {
		if has[cat] {
			out = append(out, cat)
		}
	}
	return out
}

// keySpecs returns the row's key specs: the explicit ones, or one derived
// from the (first, last, step) triple and KeyFlags. GetKeys rows without
// explicit specs get one spec whose search is "unknown".
func (c *Command) keySpecs() []KeySpec {
	if len(c.KeySpecs) > 0 {
		return c.KeySpecs
	}
	if !c.hasKeys() {
		return nil
	}
	flags := c.KeyFlags
	switch {
	case len(flags) > 0:
	case c.Flags&FlagWrite != 0:
		flags = []string{"RW", "update"}
	default:
		flags = []string{"RO", "access"}
	}
	ks := KeySpec{Notes: c.KeyNotes, Flags: flags, Index: c.FirstKey, LastKey: c.LastKey, KeyStep: max(c.Step, 1)}
	if c.LastKey >= 0 {
		ks.LastKey = c.LastKey - c.FirstKey
	}
	return []KeySpec{ks}
}

// keySpecFlagsAt returns the flags of the spec that covers argument i
// (COMMAND GETKEYSANDFLAGS).
func (c *Command) keySpecFlagsAt(args [][]byte, i int) []string {
	specs := c.keySpecs()
	for _, ks := range specs {
		if ks.Keyword != "" || ks.KeyNum || ks.Index <= 0 {
			continue
		}
		last := ks.LastKey
		if last >= 0 {
			last += ks.Index
		} else {
			last += len(args)
		}
		if i >= ks.Index && i <= last && (i-ks.Index)%max(ks.KeyStep, 1) == 0 {
			return ks.Flags
		}
	}
	if len(specs) > 0 {
		return specs[0].Flags
	}
	return nil
}

// hasKeys reports whether the row touches keys at all.
func (c *Command) hasKeys() bool { return c.FirstKey > 0 || c.GetKeys != nil || len(c.KeySpecs) > 0 }

// notKeys reports whether the row's key positions hold no keys: shard
// channels are described like keys but flagged not_key, and Redis's
// doesCommandHaveKeys says such a command has none.
func (c *Command) notKeys() bool {
	return len(c.KeySpecs) == 0 && len(c.KeyFlags) == 1 && c.KeyFlags[0] == "not_key"
}

func writeCommandInfo(w Writer, cmd *Command) {
	w.WriteArray(10)
	w.WriteBulkString(cmd.FullName())
	w.WriteInt(int64(cmd.Arity))
	f := cmd.Flags
	if cmd.GetKeys != nil {
		f |= flagMovableKeys
	}
	flags := f.Names()
	w.WriteSet(len(flags))
	for _, f := range flags {
		w.WriteSimple(f)
	}
	w.WriteInt(int64(cmd.FirstKey))
	w.WriteInt(int64(cmd.LastKey))
	w.WriteInt(int64(cmd.Step))
	cats := cmd.AllCategories()
	w.WriteSet(len(cats))
	for _, cat := range cats {
		w.WriteSimple("@" + cat)
	}
	w.WriteSet(len(cmd.Tips))
	for _, tip := range cmd.Tips {
		w.WriteBulkString(tip)
	}
	writeKeySpecs(w, cmd)
	if len(cmd.Sub) == 0 {
		w.WriteSet(0)
		return
	}
	subs := cmd.Subcommands()
	w.WriteArray(len(subs))
	for _, sc := range subs {
		writeCommandInfo(w, sc)
	}
}

// writeKeySpecs writes the row's key specs as COMMAND INFO does: a set of
// maps with notes, flags, begin_search and find_keys.
func writeKeySpecs(w Writer, cmd *Command) {
	specs := cmd.keySpecs()
	w.WriteSet(len(specs))
	for _, ks := range specs {
		n := 3
		if ks.Notes != "" {
			n++
		}
		w.WriteMap(n)
		if ks.Notes != "" {
			w.WriteBulkString("notes")
			w.WriteBulkString(ks.Notes)
		}
		w.WriteBulkString("flags")
		w.WriteSet(len(ks.Flags))
		for _, f := range ks.Flags {
			w.WriteSimple(f)
		}
		w.WriteBulkString("begin_search")
		w.WriteMap(2)
		w.WriteBulkString("type")
		switch {
		case ks.Keyword != "":
			w.WriteBulkString("keyword")
			w.WriteBulkString("spec")
			w.WriteMap(2)
			w.WriteBulkString("keyword")
			w.WriteBulkString(ks.Keyword)
			w.WriteBulkString("startfrom")
			w.WriteInt(int64(ks.StartFrom))
		case ks.Index > 0:
			w.WriteBulkString("index")
			w.WriteBulkString("spec")
			w.WriteMap(1)
			w.WriteBulkString("index")
			w.WriteInt(int64(ks.Index))
		default:
			w.WriteBulkString("unknown")
			w.WriteBulkString("spec")
			w.WriteMap(0)
		}
		w.WriteBulkString("find_keys")
		w.WriteMap(2)
		w.WriteBulkString("type")
		switch {
		case ks.Index <= 0 && ks.Keyword == "":
			w.WriteBulkString("unknown")
			w.WriteBulkString("spec")
			w.WriteMap(0)
		case ks.KeyNum:
			w.WriteBulkString("keynum")
			w.WriteBulkString("spec")
			w.WriteMap(3)
			w.WriteBulkString("keynumidx")
			w.WriteInt(int64(ks.KeyNumIdx))
			w.WriteBulkString("firstkey")
			w.WriteInt(int64(ks.FirstKey))
			w.WriteBulkString("keystep")
			w.WriteInt(int64(ks.KeyStep))
		default:
			w.WriteBulkString("range")
			w.WriteBulkString("spec")
			w.WriteMap(3)
			w.WriteBulkString("lastkey")
			w.WriteInt(int64(ks.LastKey))
			w.WriteBulkString("keystep")
			w.WriteInt(int64(ks.KeyStep))
			w.WriteBulkString("limit")
			w.WriteInt(int64(ks.Limit))
		}
	}
}

func commandDocs(c *Ctx) {
	var cmds []*Command
	if len(c.Args) == 2 {
		cmds = c.Srv.Table.All()
	} else {
		for _, name := range c.Args[2:] {
			if cmd := c.Srv.Table.lookupFullName(name); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	c.W.WriteMap(len(cmds))
	for _, cmd := range cmds {
		c.W.WriteBulkString(cmd.FullName())
		writeCommandDocs(c.W, cmd)
	}
}

func writeCommandDocs(w Writer, cmd *Command) {
	n := 4
	for _, present := range []bool{len(cmd.DocFlags) > 0, cmd.DeprecatedSince != "", cmd.ReplacedBy != "",
		len(cmd.History) > 0} {
		if present {
			n++
		}
	}
	if len(cmd.Args) > 0 {
		n++
	}
	if len(cmd.Sub) > 0 {
		n++
	}
	w.WriteMap(n)
	w.WriteBulkString("summary")
	w.WriteBulkString(cmd.Summary)
	w.WriteBulkString("since")
	w.WriteBulkString(cmd.Since)
	w.WriteBulkString("group")
	w.WriteBulkString(cmd.Group)
	w.WriteBulkString("complexity")
	w.WriteBulkString(cmd.Complexity)
	if len(cmd.DocFlags) > 0 {
		w.WriteBulkString("doc_flags")
		w.WriteSet(len(cmd.DocFlags))
		for _, f := range cmd.DocFlags {
			w.WriteSimple(f)
		}
	}
	if cmd.DeprecatedSince != "" {
		w.WriteBulkString("deprecated_since")
		w.WriteBulkString(cmd.DeprecatedSince)
	}
	if cmd.ReplacedBy != "" {
		w.WriteBulkString("replaced_by")
		w.WriteBulkString(cmd.ReplacedBy)
	}
	if len(cmd.History) > 0 {
		w.WriteBulkString("history")
		w.WriteSet(len(cmd.History))
		for _, h := range cmd.History {
			w.WriteArray(2)
			w.WriteBulkString(h[0])
			w.WriteBulkString(h[1])
		}
	}
	if len(cmd.Args) > 0 {
		w.WriteBulkString("arguments")
		writeArgDocs(w, cmd.Args)
	}
	if len(cmd.Sub) > 0 {
		subs := cmd.Subcommands()
		w.WriteBulkString("subcommands")
		w.WriteMap(len(subs))
		for _, sc := range subs {
			w.WriteBulkString(sc.FullName())
			writeCommandDocs(w, sc)
		}
	}
}

func writeArgDocs(w Writer, args []ArgDoc) {
	w.WriteArray(len(args))
	for _, a := range args {
		var flags []string
		if a.Optional {
			flags = append(flags, "optional")
		}
		if a.Multiple {
			flags = append(flags, "multiple")
		}
		if a.MultipleToken {
			flags = append(flags, "multiple_token")
		}
		n := 2
		for _, present := range []bool{a.DisplayText != "", a.Type == "key", a.Token != "", a.Since != "",
			a.DeprecatedSince != "", len(flags) > 0, len(a.Args) > 0} {
			if present {
				n++
			}
		}
		w.WriteMap(n)
		w.WriteBulkString("name")
		w.WriteBulkString(a.Name)
		w.WriteBulkString("type")
		w.WriteBulkString(a.Type)
		if a.DisplayText != "" {
			w.WriteBulkString("display_text")
			w.WriteBulkString(a.DisplayText)
		}
		if a.Type == "key" {
			w.WriteBulkString("key_spec_index")
			w.WriteInt(int64(a.KeySpecIndex))
		}
		if a.Token != "" {
			w.WriteBulkString("token")
			w.WriteBulkString(a.Token)
		}
		if a.Since != "" {
			w.WriteBulkString("since")
			w.WriteBulkString(a.Since)
		}
		if a.DeprecatedSince != "" {
			w.WriteBulkString("deprecated_since")
			w.WriteBulkString(a.DeprecatedSince)
		}
		if len(flags) > 0 {
			w.WriteBulkString("flags")
			w.WriteSet(len(flags))
			for _, f := range flags {
				w.WriteSimple(f)
			}
		}
		if len(a.Args) > 0 {
			w.WriteBulkString("arguments")
			writeArgDocs(w, a.Args)
		}
	}
}

// commandGetKeys is COMMAND GETKEYS and GETKEYSANDFLAGS: the keys of the
// command in c.Args[2:], found with the same row data the dispatcher uses.
func commandGetKeys(c *Ctx, withFlags bool) {
	args := c.Args[2:]
	cmd := c.Srv.Table.Lookup(args[0])
	if cmd != nil && len(cmd.Sub) > 0 && len(args) >= 2 {
		cmd = cmd.LookupSub(args[1])
	}
	switch {
	case cmd == nil:
		c.W.WriteError("ERR Invalid command specified")
		return
	case !cmd.hasKeys() || cmd.notKeys():
		c.W.WriteError("ERR The command has no key arguments")
		return
	case !arityOK(cmd.Arity, len(args)):
		c.W.WriteError("ERR Invalid number of arguments specified for command")
		return
	}
	idx := cmd.KeyIndexes(args)
	if len(idx) == 0 && cmd.Flags&FlagNoMandatoryKeys == 0 {
		c.W.WriteError("ERR Invalid arguments specified for command")
		return
	}
	c.W.WriteArray(len(idx))
	for _, i := range idx {
		if !withFlags {
			c.W.WriteBulk(args[i])
			continue
		}
		c.W.WriteArray(2)
		c.W.WriteBulk(args[i])
		flags := cmd.keySpecFlagsAt(args, i)
		c.W.WriteSet(len(flags))
		for _, f := range flags {
			c.W.WriteSimple(f)
		}
	}
}

func commandList(c *Ctx) {
	var keep func(cmd *Command) bool
	switch {
	case len(c.Args) == 2:
		keep = func(*Command) bool { return true }
	case len(c.Args) == 5 && isArg(c.Args[2], "filterby"):
		val := string(c.Args[4])
		switch {
		case isArg(c.Args[3], "module"):
			keep = func(*Command) bool { return false } // no modules
		case isArg(c.Args[3], "aclcat"):
			keep = func(cmd *Command) bool {
				for _, cat := range cmd.AllCategories() {
					if strings.EqualFold(cat, val) {
						return true
					}
				}
				return false
			}
		case isArg(c.Args[3], "pattern"):
			keep = func(cmd *Command) bool { return glob.MatchFold(val, cmd.FullName()) }
		default:
			c.W.WriteError(ErrSyntax)
			return
		}
	default:
		c.W.WriteError(ErrSyntax)
		return
	}
	var names []string
	for _, cmd := range c.Srv.Table.All() {
		if keep(cmd) {
			names = append(names, cmd.FullName())
		}
		for _, sc := range cmd.Subcommands() {
			if keep(sc) {
				names = append(names, sc.FullName())
			}
		}
	}
	c.W.WriteArray(len(names))
	for _, n := range names {
		c.W.WriteBulkString(n)
	}
}
