package commands

import (
	"strings"
	"time"
)

// Exec runs one command (args[0] is its name) and writes its reply to w.
//
// It is the single place where commands are checked before they run, in
// redis-server's order: the name (and subcommand) must exist, the argument
// count must fit the row's arity, the session must be authenticated unless
// the row says no_auth, and a denyoom command must find memory under
// maxmemory. Handlers therefore never repeat those checks. Exec also keeps
// INFO commandstats, the command counters and the SLOWLOG.
//
// Exec is called from the session's goroutine only. It allocates nothing
// on the path of an ordinary command.
func (s *Server) Exec(sess *Session, args [][]byte, w Writer) Action {
	return s.exec(sess, args, w, false)
}

// ExecNext is Exec for a command of a pipeline that the connection loop
// parsed right after the previous Exec on sess returned, with nothing in
// between that can wait: no socket read or write, no sleep. It saves one
// clock read: the command's start time is taken to be the end time the
// previous command already read. Use Exec for the first command after any
// read or write on the socket.
//
// Why this keeps INFO commandstats and SLOWLOG truthful: a clock read is
// ~50ns on the servers we measured (a third of a PING), and between two
// commands of one batch the session's goroutine only parses the next
// request and updates counters, so the carried start overstates a
// command's duration by that CPU work alone, well under a microsecond,
// which is the unit both report. Time the goroutine spends descheduled
// is counted either way, as it is when it happens inside a handler. A
// wait for the client is never counted, because the loop calls Exec,
// which reads a fresh start, after every read or write.
func (s *Server) ExecNext(sess *Session, args [][]byte, w Writer) Action {
	return s.exec(sess, args, w, true)
}

func (s *Server) exec(sess *Session, args [][]byte, w Writer, carry bool) Action {
	if !carry {
		sess.lastEnd = 0
	}
	if len(args) == 0 {
		return Continue
	}
	// Transactions (multi.go): a command holds the EXEC barrier shared
	// from its checks to its reply; in MULTI a refusal aborts the
	// transaction, and a refused EXEC discards it.
	if sess.depth == 0 {
		s.tx.barrier.enter(sess)
		defer s.tx.barrier.exit(sess)
	}
	direct := w
	if sess.tx.multi || isExec(args[0]) {
		w = s.txRefusals(sess, w, args[0])
	}
	cmd := s.Table.Lookup(args[0])
	if cmd == nil {
		s.reject(w, nil, unknownCommandError(args))
		return Continue
	}
	if cmd.Sub != nil && len(args) >= 2 {
		sub := cmd.LookupSub(args[1])
		if sub == nil {
			s.reject(w, nil, unknownSubcommandError(args))
			return Continue
		}
		cmd = sub
	}
	if !arityOK(cmd.Arity, len(args)) {
		s.reject(w, cmd, WrongArgs(cmd.FullName()))
		return Continue
	}
	if !sess.Authenticated && cmd.Flags&FlagNoAuth == 0 && s.authRequired.Load() {
		s.reject(w, cmd, ErrNoAuth)
		return Continue
	}
	if sess.tx.multi && cmd.Flags&FlagNoMulti != 0 {
		s.reject(w, cmd, errNotInMulti)
		return Continue
	}
	if (cmd.Flags&FlagDenyOOM != 0 || sess.tx.txDenyOOM(cmd)) && s.overLimit() {
		s.reject(w, cmd, ErrOOM)
		return Continue
	}
	// Pub/Sub: a RESP2 session with subscriptions runs only a few commands.
	if sess.pubsub != nil {
		if msg := pubsubRefusal(sess, cmd); msg != "" {
			s.reject(w, cmd, msg)
			return Continue
		}
	}
	if cmd.Handler == nil { // a container whose subcommand is required
		s.reject(w, nil, unknownSubcommandError(args))
		return Continue
	}
	if sess.tx.multi && !runsInMulti(cmd) {
		return s.queue(sess, cmd, args, direct)
	}
	return s.call(sess, cmd, args, direct)
}

// call runs a checked command and accounts for it.
func (s *Server) call(sess *Session, cmd *Command, args [][]byte, w Writer) Action {
	// Reuse the session's Ctx unless this is a nested call (EXEC running
	// queued commands), whose caller still uses it.
	c, rc := &sess.ctx, &sess.reply
	if sess.depth > 0 {
		c, rc = new(Ctx), new(replyCounter)
	}
	sess.depth++
	*rc = replyCounter{w: w, stats: &s.stats}
	*c = Ctx{Srv: s, Sess: sess, Args: args, W: rc, Cmd: cmd}

	// Durations come from the monotonic clock alone, measured from the
	// server's start; wall times are derived from it. A top-level command
	// run by ExecNext starts when the previous one ended (see ExecNext);
	// otherwise, and for commands nested in EXEC, the clock is read.
	start := sess.lastEnd
	if start == 0 || sess.depth > 1 {
		start = time.Since(s.started)
	}
	// Stores only on change: an atomic store is a full barrier (XCHG),
	// and in a pipeline both usually repeat the previous command's.
	if ms := s.startedMs + start.Milliseconds(); sess.lastActive.Load() != ms {
		sess.lastActive.Store(ms)
	}
	if sess.depth == 1 && sess.lastCmd.Load() != &cmd.fullName { // EXEC's, not its queued commands'
		sess.lastCmd.Store(&cmd.fullName)
	}
	cmd.Handler(c)
	if cmd.Flags&FlagWrite != 0 && rc.errors == 0 && s.watching() {
		s.touchWatched(sess, cmd, args) // WATCH (watch.go)
	}
	end := time.Since(s.started)
	d := end - start

	sess.depth--
	if sess.depth == 0 {
		sess.lastEnd = end
	}
	st := cmd.stats
	st.calls.Add(1)
	st.nanos.Add(int64(d))
	if rc.errors > 0 {
		st.failed.Add(1)
	}
	ops := s.stats.commands.Add(1)
	s.stats.ops.maybeSample(int64(start+d), ops)
	if t := s.slowerThan.Load(); t >= 0 && d.Microseconds() >= t && cmd.Flags&FlagSkipSlowlog == 0 {
		s.logSlow(sess, cmd, args, s.started.Add(start), d)
	}
	action := c.Action
	c.Args, c.W, rc.w = nil, nil, nil // do not pin the connection's buffers
	return action
}

// reject answers a command the dispatcher refused; cmd is nil when the
// name did not resolve to a row.
func (s *Server) reject(w Writer, cmd *Command, msg string) {
	if cmd != nil {
		cmd.stats.rejected.Add(1)
	}
	s.stats.noteError(msg)
	w.WriteError(msg)
}

func (s *Server) logSlow(sess *Session, cmd *Command, args [][]byte, start time.Time, d time.Duration) {
	if cmd.Redact != nil {
		args = cmd.Redact(append([][]byte(nil), args...))
	}
	sess.mu.Lock()
	name := sess.Name
	sess.mu.Unlock()
	s.slowlog.add(args, start, d, sess.Addr, name)
}

// unknownCommandError is Redis's reply to a name no row has: the name and
// then the first arguments, quoted, until 128 bytes of them are shown.
func unknownCommandError(args [][]byte) string {
	var b strings.Builder
	b.WriteString("ERR unknown command '")
	b.Write(truncate(args[0], 128))
	b.WriteString("', with args beginning with: ")
	shown := 0 // bytes of the argument list written so far
	for _, a := range args[1:] {
		if shown >= 128 {
			break
		}
		part := truncate(a, 128-shown)
		b.WriteByte('\'')
		b.Write(part)
		b.WriteString("' ")
		shown += len(part) + 3
	}
	return sanitizeError(b.String())
}

// unknownSubcommandError is the reply to CLIENT FOO and friends.
func unknownSubcommandError(args [][]byte) string {
	sub := []byte(nil)
	if len(args) > 1 {
		sub = truncate(args[1], 128)
	}
	return sanitizeError("ERR unknown subcommand '" + string(sub) + "'. Try " +
		strings.ToUpper(string(args[0])) + " HELP.")
}

// subcommandSyntaxError is Redis's reply when a subcommand's arguments do
// not parse: "unknown subcommand or wrong number of arguments for 'get'".
func subcommandSyntaxError(c *Ctx) string {
	return sanitizeError("ERR unknown subcommand or wrong number of arguments for '" +
		string(truncate(c.Args[1], 128)) + "'. Try " + strings.ToUpper(string(c.Args[0])) + " HELP.")
}

// truncate shortens b to n bytes and, like C's %s, to its first NUL.
func truncate(b []byte, n int) []byte {
	for i, ch := range b {
		if ch == 0 {
			b = b[:i]
			break
		}
	}
	if len(b) > n {
		return b[:n]
	}
	return b
}

// sanitizeError replaces line breaks, which would break the protocol, by
// spaces, as Redis does for errors that quote client input.
func sanitizeError(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
}

// replyCounter passes replies through to the connection's Writer and
// counts error replies, so that the dispatcher can keep failed_calls and
// errorstats without handlers reporting their errors.
type replyCounter struct {
	w      Writer
	stats  *serverStats
	errors int
}

func (r *replyCounter) WriteError(msg string) {
	r.errors++
	r.stats.noteError(msg)
	r.w.WriteError(msg)
}

func (r *replyCounter) WriteSimple(s string)           { r.w.WriteSimple(s) }
func (r *replyCounter) WriteInt(n int64)               { r.w.WriteInt(n) }
func (r *replyCounter) WriteBulk(b []byte)             { r.w.WriteBulk(b) }
func (r *replyCounter) WriteBulkString(s string)       { r.w.WriteBulkString(s) }
func (r *replyCounter) WriteNull()                     { r.w.WriteNull() }
func (r *replyCounter) WriteNullArray()                { r.w.WriteNullArray() }
func (r *replyCounter) WriteArray(n int)               { r.w.WriteArray(n) }
func (r *replyCounter) WriteMap(n int)                 { r.w.WriteMap(n) }
func (r *replyCounter) WriteSet(n int)                 { r.w.WriteSet(n) }
func (r *replyCounter) WritePush(n int)                { r.w.WritePush(n) }
func (r *replyCounter) WriteDouble(f float64)          { r.w.WriteDouble(f) }
func (r *replyCounter) WriteBool(b bool)               { r.w.WriteBool(b) }
func (r *replyCounter) WriteVerbatim(format, s string) { r.w.WriteVerbatim(format, s) }
func (r *replyCounter) WriteRaw(b []byte)              { r.w.WriteRaw(b) }

// overLimit runs the engine's maxmemory check, counting the Go heap (sampled
// at most once a second) as the process baseline.
func (s *Server) overLimit() bool {
	if max, _ := s.Engine.MaxMemory(); max <= 0 {
		return false
	}
	s.Engine.SetOverhead(s.heapOutsideEngine())
	return s.Engine.EnsureMemory() != nil
}

// heapOutsideEngine is the Go heap minus the engine's index, which the
// engine already counts in Used.
func (s *Server) heapOutsideEngine() int64 {
	return max(0, s.mem.goHeap()-s.Engine.IndexBytes())
}
