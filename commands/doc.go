// Package commands is nebredis's command layer: it turns one parsed client
// command into engine calls and a reply, exactly as redis-server 7 would.
//
// # The table is the single place that knows a command
//
// Every command is one *Command row in a Table: name, arity, flags, key
// positions, ACL categories, documentation, and the Handler. Families
// register their rows explicitly when a Server is built (RegisterStrings,
// RegisterKeyspace, RegisterConnection, RegisterClient, RegisterServer,
// RegisterConfig, RegisterCommandCmd); there are no init() side effects and
// a duplicate name panics. Containers (CLIENT, CONFIG, OBJECT...) keep their
// subcommands in Command.Sub, each a full row of its own whose FullName is
// "client|setname".
//
//	row := &Command{Name: "get", Arity: 2, Flags: FlagReadOnly | FlagFast,
//		FirstKey: 1, LastKey: 1, Step: 1, Categories: []string{"string"},
//		Summary: "Get the value of a key", Since: "1.0.0", Group: "string",
//		Complexity: "O(1)", Args: []ArgDoc{{Name: "key", Type: "key"}},
//		Handler: cmdGet}
//
// Everything else is generated from the rows: COMMAND, COMMAND INFO (flags,
// key specs, categories with the ones Redis derives from flags), COMMAND
// DOCS (which redis-cli reads for its hints), COMMAND GETKEYS, COMMAND
// LIST, INFO commandstats. A row whose keys play different roles (RENAME's
// source and destination) lists explicit KeySpecs; otherwise one spec is
// derived from the triple and KeyFlags.
//
// # Dispatch
//
// Server.Exec is the only entry point. Driven by the row, it checks in
// redis-server's order, before any handler runs:
//
//	name known?            ERR unknown command '<name>', with args beginning with: ...
//	subcommand known?      ERR unknown subcommand '<sub>'. Try CLIENT HELP.
//	arity                  ERR wrong number of arguments for 'client|setname' command
//	authenticated?         NOAUTH Authentication required.   (unless FlagNoAuth)
//	no_multi in MULTI      ERR Command not allowed inside a transaction
//	memory (FlagDenyOOM)   OOM command not allowed when used memory > 'maxmemory'.
//	RESP2 Pub/Sub mode     ERR Can't execute 'get': only (P|S)SUBSCRIBE / ... in this context
//
// so a handler only parses its own options and talks to the engine. Exec
// then times the call for INFO commandstats (calls, usec, rejected_calls,
// failed_calls: a reply that was an error) and the SLOWLOG, and counts
// total_commands_processed. Handlers report keyspace hits and misses with
// Server.Hit and Server.Miss; engine sentinel errors become replies only
// through EngineError.
//
// In MULTI, a command that passes the checks is queued instead of run
// (+QUEUED), and a refusal aborts the transaction (multi.go). Every
// command holds the EXEC barrier shared from its checks to its reply and
// EXEC holds it alone, so a transaction is atomic across shards
// (txbarrier.go); after a write command succeeds, the sessions WATCHing
// its keys are marked (watch.go).
//
// # Concurrency and buffers
//
// A Server serves every connection. Each connection has one Session and
// calls Exec from one goroutine; the Session's exported fields belong to
// that goroutine, and the ones CLIENT LIST shows are changed through
// setters that take its lock. Server-wide state is either atomic (stats,
// per-row counters, the copies of config values the dispatcher reads) or
// behind its own mutex (client registry, slowlog, config). Table rows are
// read-only once the Server is built.
//
// Ctx.Args alias the connection's read buffer and the Ctx is reused for
// the session's next command: copy what must outlive the call. Engine
// values passed to View/Update callbacks alias engine memory and are valid
// only inside the callback. The Writer (implemented by resp/) owns the
// reply bytes; handlers write the RESP3 shape and the Writer downgrades it
// for RESP2 sessions (Session.Proto, switched by HELLO).
//
// On the GET/SET path Exec allocates nothing: the name is folded to lower
// case on the stack, the Ctx and the error-counting writer wrapper live in
// the Session, and the counters are atomics in the row.
package commands
