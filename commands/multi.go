package commands

import (
	"strings"
	"sync/atomic"
	"time"
)

// Transactions: MULTI, EXEC and DISCARD (WATCH and UNWATCH are in
// watch.go), with Redis 7.0's semantics.
//
// # Queueing
//
// After MULTI the dispatcher (Server.exec) still checks every command as
// usual, then queues it instead of running it and answers +QUEUED. The
// exceptions, run at once as in Redis, are EXEC, DISCARD, MULTI (which
// fails: "MULTI calls can not be nested"), WATCH (which fails the same
// way), QUIT and RESET (which discard the transaction). A command the
// dispatcher refuses while the session is in MULTI (unknown, wrong
// arity, NOAUTH, no_multi, OOM) is answered with its error and marks the
// transaction aborted: EXEC then answers EXECABORT and discards it. A
// refused EXEC itself (wrong arity, or OOM when a queued command is
// denyoom and memory is over maxmemory) discards the transaction with
// "EXECABORT Transaction discarded because of: <reason>" (outside MULTI
// too, as in Redis: "EXEC x" answers so). While in MULTI,
// every command but EXEC, DISCARD, QUIT and RESET is refused when memory
// is over maxmemory, denyoom or not, since queueing takes memory.
//
// The queued arguments are copies: the originals alias the connection's
// read buffer.
//
// # EXEC
//
// EXEC takes the EXEC barrier exclusively (txbarrier.go), so the check of
// the WATCHed keys and the queued commands run with no other client's
// command in between, on any shard. It answers null when a WATCHed key
// changed, and otherwise an array with one reply per queued command: a
// command that fails at run time (WRONGTYPE...) has its error there and
// the others still run. Queued commands run through Server.call, nested:
// they take no barrier hold and get a fresh Ctx, and a blocking command
// among them does not block (blockForKeys sees depth > 1) but answers as
// if its timeout had passed. Clients blocked on keys the transaction
// filled are served once it ends, as Redis serves them after the EXEC
// command, not between its commands. A SELECT among them applies to the
// commands after it.

// Replies of the transaction commands.
const (
	errExecNoMulti     = "ERR EXEC without MULTI"
	errDiscardNoMulti  = "ERR DISCARD without MULTI"
	errMultiNested     = "ERR MULTI calls can not be nested"
	errWatchInMulti    = "ERR WATCH inside MULTI is not allowed"
	errNotInMulti      = "ERR Command not allowed inside a transaction"
	errExecAbort       = "EXECABORT Transaction discarded because of previous errors."
	execAbortBecauseOf = "EXECABORT Transaction discarded because of: "
)

// transactions is the server-wide state of MULTI/EXEC and WATCH.
type transactions struct {
	barrier execBarrier
	watches watchRegistry
	// execRunning is set while an EXEC runs its queued commands (there is
	// at most one: it holds the barrier): keys made ready for blocked
	// clients are served when it ends.
	execRunning atomic.Bool
}

// sessTx is a session's transaction state. The session's goroutine owns
// it, except the atomics, which CLIENT LIST reads and (dirty) other
// sessions' writes set.
type sessTx struct {
	multi   bool        // between MULTI and the end of EXEC or DISCARD
	aborted bool        // a command was refused while queueing: EXECABORT
	denyOOM bool        // a queued command is denyoom: EXEC is refused over maxmemory
	queue   []queuedCmd // commands queued since MULTI
	mem     int64       // CLIENT LIST multi-mem: queued arguments' bytes + 8 per argument (Redis's count)
	refusal refusalWriter

	// shown is what CLIENT LIST shows as multi=: the number of queued
	// commands plus one while in MULTI, 0 outside. shownMem is multi-mem.
	shown, shownMem atomic.Int64

	watched []watchedKey // WATCHed keys (watch.go)
	dirty   atomic.Bool  // a WATCHed key was touched: EXEC answers null

	hold barrierHold // what the session holds of the EXEC barrier
}

// queuedCmd is one command queued after MULTI: its row (subcommand
// resolved) and a copy of its arguments.
type queuedCmd struct {
	cmd  *Command
	args [][]byte
}

// RegisterTransactions adds MULTI, EXEC, DISCARD, WATCH and UNWATCH.
func RegisterTransactions(t *Table) {
	const flags = FlagNoScript | FlagLoading | FlagStale
	cats := []string{"transaction"}
	t.Add(&Command{Name: "multi", Arity: 1, Flags: flags | FlagFast | FlagAllowBusy,
		Categories: cats, Group: "transactions", Since: "1.2.0",
		Summary: "Mark the start of a transaction block", Complexity: "O(1)",
		Handler: cmdMulti})
	t.Add(&Command{Name: "exec", Arity: 1, Flags: flags | FlagSkipSlowlog,
		Categories: cats, Group: "transactions", Since: "1.2.0",
		Summary: "Execute all commands issued after MULTI", Complexity: "Depends on commands in the transaction",
		Handler: cmdExec})
	t.Add(&Command{Name: "discard", Arity: 1, Flags: flags | FlagFast | FlagAllowBusy,
		Categories: cats, Group: "transactions", Since: "2.0.0",
		Summary: "Discard all commands issued after MULTI", Complexity: "O(N), when N is the number of queued commands",
		Handler: cmdDiscard})
	registerWatch(t)
}

// runsInMulti reports whether cmd runs at once in MULTI instead of being
// queued.
func runsInMulti(cmd *Command) bool {
	switch cmd.FullName() {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// txDenyOOM reports whether the dispatcher must refuse cmd, which is not
// denyoom itself, when memory is over maxmemory because the session is in
// MULTI: queueing takes memory, and EXEC would run denyoom commands.
func (t *sessTx) txDenyOOM(cmd *Command) bool {
	if !t.multi {
		return false
	}
	switch cmd.FullName() {
	case "exec":
		return t.denyOOM
	case "discard", "quit", "reset":
		return false
	}
	return true
}

// refusalWriter is the Writer the dispatcher refuses commands through
// while the session is in MULTI: a refusal aborts the transaction, and a
// refused EXEC discards it with the reason.
type refusalWriter struct {
	Writer
	srv  *Server
	sess *Session
	exec bool // the command being checked is EXEC
}

func (r *refusalWriter) WriteError(msg string) {
	if !r.exec {
		r.sess.tx.aborted = true
		r.Writer.WriteError(msg)
		return
	}
	r.srv.discardTx(r.sess)
	r.Writer.WriteError(execAbortBecauseOf + strings.TrimPrefix(msg, "ERR "))
}

// txRefusals returns the Writer the dispatcher answers refusals with for
// a command named name sent in MULTI, or for EXEC; it lives in the
// session.
func (s *Server) txRefusals(sess *Session, w Writer, name []byte) Writer {
	sess.tx.refusal = refusalWriter{Writer: w, srv: s, sess: sess, exec: isExec(name)}
	return &sess.tx.refusal
}

// isExec reports whether a command name is EXEC, whose refusals (even
// outside MULTI, as in Redis) discard the transaction with the reason.
func isExec(name []byte) bool { return len(name) == 4 && isArg(name, "exec") }

// queue keeps a checked command for EXEC and answers +QUEUED.
func (s *Server) queue(sess *Session, cmd *Command, args [][]byte, w Writer) Action {
	t := &sess.tx
	n := 0
	for _, a := range args {
		n += len(a)
	}
	buf := make([]byte, 0, n)
	cp := make([][]byte, len(args))
	for i, a := range args {
		start := len(buf)
		buf = append(buf, a...)
		cp[i] = buf[start:len(buf):len(buf)] // capacity ends at the length, as the originals'
	}
	t.queue = append(t.queue, queuedCmd{cmd: cmd, args: cp})
	if cmd.Flags&FlagDenyOOM != 0 {
		t.denyOOM = true
	}
	t.mem += int64(n + 8*len(args))
	t.shown.Store(int64(len(t.queue)) + 1)
	t.shownMem.Store(t.mem)
	// CLIENT LIST shows a queued command as the client's last, as Redis does.
	sess.lastCmd.Store(&cmd.fullName)
	sess.lastActive.Store(time.Now().UnixMilli())
	w.WriteSimple("QUEUED")
	return Continue
}

// discardTx ends the session's transaction, if any, and forgets its
// WATCHed keys (DISCARD, EXEC, RESET, the end of the connection).
func (s *Server) discardTx(sess *Session) {
	t := &sess.tx
	clear(t.queue)
	t.queue = nil
	t.multi, t.aborted, t.denyOOM, t.mem = false, false, false, 0
	t.shown.Store(0)
	t.shownMem.Store(0)
	s.unwatchAll(sess)
}

func cmdMulti(c *Ctx) {
	t := &c.Sess.tx
	if t.multi {
		c.W.WriteError(errMultiNested)
		return
	}
	t.multi = true
	t.shown.Store(1)
	c.W.WriteSimple("OK")
}

func cmdDiscard(c *Ctx) {
	if !c.Sess.tx.multi {
		c.W.WriteError(errDiscardNoMulti)
		return
	}
	c.Srv.discardTx(c.Sess)
	c.W.WriteSimple("OK")
}

func cmdExec(c *Ctx) {
	s, sess, t := c.Srv, c.Sess, &c.Sess.tx
	if !t.multi {
		c.W.WriteError(errExecNoMulti)
		return
	}
	s.tx.barrier.lock(sess) // the dispatcher releases it after the reply
	defer s.discardTx(sess)
	if t.aborted {
		c.W.WriteError(errExecAbort)
		return
	}
	if s.watchBroken(sess) {
		c.W.WriteNullArray()
		return
	}
	s.unwatchAll(sess)

	// The queued commands' replies go to the connection's writer, not
	// through EXEC's error counter: their errors are theirs (INFO
	// commandstats failed_calls, errorstats), not EXEC's.
	w := c.W
	if rc, ok := w.(*replyCounter); ok {
		w = rc.w
	}
	s.tx.execRunning.Store(true)
	defer s.endExec()
	w.WriteArray(len(t.queue))
	for i := range t.queue {
		q := &t.queue[i]
		if s.call(sess, q.cmd, q.args, w) == Close {
			// CLIENT KILL of itself: as in Redis, the commands after it
			// still run but their replies are dropped, and the
			// connection closes after what was written.
			c.Action = Close
			w = noReplies{}
		}
	}
}

// noReplies drops every reply: the queued commands of an EXEC that run
// after one asked to close the connection.
type noReplies struct{}

func (noReplies) WriteSimple(string)           {}
func (noReplies) WriteError(string)            {}
func (noReplies) WriteInt(int64)               {}
func (noReplies) WriteBulk([]byte)             {}
func (noReplies) WriteBulkString(string)       {}
func (noReplies) WriteNull()                   {}
func (noReplies) WriteNullArray()              {}
func (noReplies) WriteArray(int)               {}
func (noReplies) WriteMap(int)                 {}
func (noReplies) WriteSet(int)                 {}
func (noReplies) WritePush(int)                {}
func (noReplies) WriteDouble(float64)          {}
func (noReplies) WriteBool(bool)               {}
func (noReplies) WriteVerbatim(string, string) {}
func (noReplies) WriteRaw([]byte)              {}

// endExec serves the clients blocked on keys the transaction made ready
// (signalKeyReady only queued them while it ran).
func (s *Server) endExec() {
	s.tx.execRunning.Store(false)
	if b := s.Table.waits; b != nil && b.n.Load() > 0 {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.drainLocked()
	}
}
