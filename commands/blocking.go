package commands

import (
	"math/big"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nebredis/nebredis/engine"
	"github.com/nebredis/nebredis/internal/redisnum"
)

// Blocking commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH and BLMPOP, and
// CLIENT UNBLOCK.
//
// # Blocking and serving
//
// A blocking command first tries to answer at once, as its non-blocking
// twin would. When every key is empty it registers a waiter for its keys
// in the server's registry (one per Server, reached through its Table)
// and its goroutine sleeps until one of:
//
//	a signal served it        the reply is already written
//	its timeout passed        the command writes its timeout reply
//	CLIENT UNBLOCK            timeout reply, or the UNBLOCKED error
//	its connection went away  nothing is written
//
// Commands that add elements to a key call Server.signalKeyReady after
// their engine call. The signalling goroutine then serves the clients
// blocked on that key itself, first blocked first served, while the key
// has elements: it runs each waiter's serve function, which pops on the
// waiter's behalf (in the waiter's database) and writes the waiter's reply
// to the waiter's Writer. So the pushing client's next command already
// sees the list the waiters left, as in Redis, where blocked clients are
// served right after the command that made their key ready. A served
// BLMOVE pushes to its destination, which is signalled in turn.
//
// A key that is deleted, expires or takes another type while clients
// wait does not wake them: they are served when the key holds a
// non-empty list again (Redis 7.0's behaviour).
//
// # Locks and ordering
//
// blocking.mu guards the waiters and is held while serving, so that the
// engine is always entered with it held and never the other way round:
// signalKeyReady must be called with no engine lock held. A client that
// is about to block retries its keys under blocking.mu after raising
// blocking.n, which closes the gap between its first look and its
// registration: a push either lands before the retry (which then finds
// it) or its signal finds the waiter. signalKeyReady costs one atomic
// load while no client is blocked. A blocked client holds no engine lock.
//
// # The connection while a client waits
//
// Session.BeginWait (set by resp/) delivers the replies of the commands
// pipelined before the blocking one and watches the socket: requests that
// arrive while the client waits are kept and run after it, and a peer
// that closes, or a CLIENT KILL, closes the channel it returns. A waiter
// whose connection is gone is dropped without being served, so it never
// pops an element nobody will read.
//
// Inside EXEC (a nested Exec) a blocking command does not block: it
// answers as Redis does for a client that may not block.
//
// Other families reuse this: BZPOPMIN and friends call blockForKeys with
// their own try and serve (serve answers notServed for a key that holds
// a list, so the list waiters behind keep their turn), and every command
// that adds to a list or sorted set calls signalKeyReady.

// Error replies of the blocking commands.
const (
	errTimeoutNotFloat = "ERR timeout is not a float or out of range"
	errTimeoutNegative = "ERR timeout is negative"
	errUnblockReason   = "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"
	errUnblocked       = "UNBLOCKED client unblocked via CLIENT UNBLOCK"
)

// registerBlocking adds the blocking list commands and CLIENT UNBLOCK.
func registerBlocking(t *Table) {
	t.keyWaits()
	for _, c := range []*Command{
		{
			Name: "blpop", Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking,
			FirstKey: 1, LastKey: -2, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RW", "access", "delete"},
			Summary:    "Remove and get the first element in a list, or block until one is available",
			Since:      "2.0.0",
			Group:      "list",
			Complexity: "O(N) where N is the number of provided keys.",
			History:    [][2]string{{"6.0.0", "`timeout` is interpreted as a double instead of an integer."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key", Multiple: true},
				{Name: "timeout", Type: "double"},
			},
			Handler: cmdBlpop,
		},
		{
			Name: "brpop", Arity: -3, Flags: FlagWrite | FlagNoScript | FlagBlocking,
			FirstKey: 1, LastKey: -2, Step: 1,
			Categories: []string{"list"},
			KeyFlags:   []string{"RW", "access", "delete"},
			Summary:    "Remove and get the last element in a list, or block until one is available",
			Since:      "2.0.0",
			Group:      "list",
			Complexity: "O(N) where N is the number of provided keys.",
			History:    [][2]string{{"6.0.0", "`timeout` is interpreted as a double instead of an integer."}},
			Args: []ArgDoc{
				{Name: "key", Type: "key", Multiple: true},
				{Name: "timeout", Type: "double"},
			},
			Handler: cmdBrpop,
		},
		{
			Name: "blmove", Arity: 6, Flags: FlagWrite | FlagDenyOOM | FlagNoScript | FlagBlocking,
			FirstKey: 1, LastKey: 2, Step: 1,
			Categories: []string{"list"},
			KeySpecs:   []KeySpec{{Flags: []string{"RW", "access", "delete"}, Index: 1, LastKey: 0, KeyStep: 1, Limit: 0}, {Flags: []string{"RW", "insert"}, Index: 2, LastKey: 0, KeyStep: 1, Limit: 0}},
			Summary:    "Pop an element from a list, push it to another list and return it; or block until one is available",
			Since:      "6.2.0",
			Group:      "list",
			Complexity: "O(1)",
			Args: []ArgDoc{
				{Name: "source", Type: "key"},
				{Name: "destination", Type: "key", KeySpecIndex: 1},
				{Name: "wherefrom", Type: "oneof", Args: []ArgDoc{{Name: "left", Type: "pure-token", Token: "LEFT"}, {Name: "right", Type: "pure-token", Token: "RIGHT"}}},
				{Name: "whereto", Type: "oneof", Args: []ArgDoc{{Name: "left", Type: "pure-token", Token: "LEFT"}, {Name: "right", Type: "pure-token", Token: "RIGHT"}}},
				{Name: "timeout", Type: "double"},
			},
			Handler: cmdBlmove,
		},
		{
			Name: "brpoplpush", Arity: 4, Flags: FlagWrite | FlagDenyOOM | FlagNoScript | FlagBlocking,
			FirstKey: 1, LastKey: 2, Step: 1,
			Categories:      []string{"list"},
			KeySpecs:        []KeySpec{{Flags: []string{"RW", "access", "delete"}, Index: 1, LastKey: 0, KeyStep: 1, Limit: 0}, {Flags: []string{"RW", "insert"}, Index: 2, LastKey: 0, KeyStep: 1, Limit: 0}},
			Summary:         "Pop an element from a list, push it to another list and return it; or block until one is available",
			Since:           "2.2.0",
			Group:           "list",
			Complexity:      "O(1)",
			DocFlags:        []string{"deprecated"},
			DeprecatedSince: "6.2.0",
			ReplacedBy:      "`BLMOVE` with the `RIGHT` and `LEFT` arguments",
			History:         [][2]string{{"6.0.0", "`timeout` is interpreted as a double instead of an integer."}},
			Args: []ArgDoc{
				{Name: "source", Type: "key"},
				{Name: "destination", Type: "key", KeySpecIndex: 1},
				{Name: "timeout", Type: "double"},
			},
			Handler: cmdBrpoplpush,
		},
		{
			Name: "blmpop", Arity: -5, Flags: FlagWrite | FlagBlocking,
			Categories: []string{"list"},
			KeySpecs:   []KeySpec{{Flags: []string{"RW", "access", "delete"}, Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}},
			Summary:    "Pop elements from a list, or block until one is available",
			Since:      "7.0.0",
			Group:      "list",
			Complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
			Args: []ArgDoc{
				{Name: "timeout", Type: "double"},
				{Name: "numkeys", Type: "integer"},
				{Name: "key", Type: "key", Multiple: true},
				{Name: "where", Type: "oneof", Args: []ArgDoc{{Name: "left", Type: "pure-token", Token: "LEFT"}, {Name: "right", Type: "pure-token", Token: "RIGHT"}}},
				{Name: "count", Type: "integer", Token: "COUNT", Optional: true},
			},
			GetKeys: func(args [][]byte) []int { return numkeysGetKeys(args, 2) },
			Handler: cmdBlmpop,
		},
	} {
		t.Add(c)
	}
	addSubcommand(t, "client", clientUnblockCommand())
}

// keyWaits returns the table's registry of blocked clients, creating it
// the first time (while the server is built, on one goroutine). Families
// with blocking commands call it from their Register function.
func (t *Table) keyWaits() *blocking {
	if t.waits == nil {
		t.waits = &blocking{keys: make(map[int]map[string][]*waiter), bySess: make(map[int64]*waiter)}
	}
	return t.waits
}

// blocking is the registry of the clients blocked on keys.
type blocking struct {
	// n counts the clients blocked or about to block: signals return at
	// once while it is 0 (BlockedClients reports it).
	n atomic.Int64

	// mu guards keys, bySess, ready and the state of every waiter. It is
	// held while serving, so it is always taken before any engine lock.
	mu     sync.Mutex
	keys   map[int]map[string][]*waiter // db → key → waiters, in the order they blocked
	bySess map[int64]*waiter            // session id → its waiter (CLIENT UNBLOCK)
	ready  []readyKey                   // keys signalled and not served yet
}

type readyKey struct {
	db  int
	key string
}

// waitState is where a waiter is in its life.
type waitState uint8

const (
	waiting     waitState = iota
	waitServed            // a signal served it: its reply is written
	waitTimeout           // its time ran out, or CLIENT UNBLOCK TIMEOUT
	waitError             // CLIENT UNBLOCK ERROR
	waitGone              // its connection went away
)

// serveResult is what a waiter's serve function did with a key.
type serveResult uint8

const (
	served     serveResult = iota // the waiter's reply is written: unblock it
	notServed                     // this waiter cannot take from the key (another type): try the next
	keyDrained                    // the key has nothing to take: stop serving it
)

// waiter is one blocked client.
type waiter struct {
	sess int64
	db   int
	keys []string // distinct
	gone <-chan struct{}
	// serve answers from key, which was signalled, on the signalling
	// goroutine with blocking.mu held; pushed names a key it added to
	// (BLMOVE's destination), nil if none.
	serve func(key []byte) (res serveResult, pushed []byte)
	wake  chan struct{} // closed when state leaves waiting
	state waitState
}

func (w *waiter) connGone() bool {
	select {
	case <-w.gone:
		return true
	default:
		return false
	}
}

func (b *blocking) addLocked(w *waiter) {
	byKey := b.keys[w.db]
	if byKey == nil {
		byKey = make(map[string][]*waiter)
		b.keys[w.db] = byKey
	}
	for _, k := range w.keys {
		byKey[k] = append(byKey[k], w)
	}
	b.bySess[w.sess] = w
}

// removeLocked takes w out of the registry with its final state and
// wakes its goroutine.
func (b *blocking) removeLocked(w *waiter, st waitState) {
	byKey := b.keys[w.db]
	for _, k := range w.keys {
		q := byKey[k]
		for i, x := range q {
			if x == w {
				q = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		if len(q) == 0 {
			delete(byKey, k)
		} else {
			byKey[k] = q
		}
	}
	if len(byKey) == 0 {
		delete(b.keys, w.db)
	}
	if b.bySess[w.sess] == w {
		delete(b.bySess, w.sess)
	}
	b.n.Add(-1)
	w.state = st
	close(w.wake)
}

// readyLocked queues key for serving if a client waits on it.
func (b *blocking) readyLocked(db int, key []byte) {
	if _, ok := b.keys[db][string(key)]; !ok {
		return
	}
	for _, rk := range b.ready {
		if rk.db == db && rk.key == string(key) {
			return
		}
	}
	b.ready = append(b.ready, readyKey{db, string(key)})
}

// drainLocked serves the ready keys: for each, its waiters in the order
// they blocked, until the key has nothing more to give.
func (b *blocking) drainLocked() {
	for i := 0; i < len(b.ready); i++ {
		rk := b.ready[i]
		key := []byte(rk.key)
		for at := 0; ; {
			q := b.keys[rk.db][rk.key]
			if at >= len(q) {
				break
			}
			w := q[at]
			if w.connGone() {
				b.removeLocked(w, waitGone)
				continue
			}
			res, pushed := w.serve(key)
			if pushed != nil {
				b.readyLocked(w.db, pushed)
			}
			if res == keyDrained {
				break
			}
			if res == notServed {
				at++
				continue
			}
			b.removeLocked(w, waitServed)
		}
	}
	clear(b.ready)
	b.ready = b.ready[:0]
}

// signalKeyReady serves the clients blocked on key in db, if any, before
// it returns. Every command that adds elements to a list (or, later, a
// sorted set) calls it after its engine call, with no engine lock held.
// It costs an atomic load while no client is blocked. Inside EXEC the
// clients are served when the EXEC ends, as in Redis.
func (s *Server) signalKeyReady(db int, key []byte) {
	b := s.Table.waits
	if b == nil || b.n.Load() == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.readyLocked(db, key)
	if !s.tx.execRunning.Load() { // else served when the EXEC ends (multi.go)
		b.drainLocked()
	}
}

// tryOrAdd runs try again with mu held and n raised, and registers w if
// it did not answer. A push then either happened before the retry, which
// finds its element, or its signal will find w; see signalKeyReady.
func (b *blocking) tryOrAdd(try func() (bool, []byte), w *waiter) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n.Add(1)
	if replied, pushed := try(); replied {
		b.n.Add(-1)
		if pushed != nil {
			b.readyLocked(w.db, pushed)
			b.drainLocked()
		}
		return true
	}
	b.addLocked(w)
	return false
}

// BlockedClients is the number of clients blocked on keys (INFO
// blocked_clients).
func (s *Server) BlockedClients() int {
	if s.Table.waits == nil {
		return 0
	}
	return int(s.Table.waits.n.Load())
}

// beginWait is Session.BeginWait, or a stand-in that never reports a
// disconnect for sessions without a connection (tests).
func (s *Session) beginWait() (<-chan struct{}, func()) {
	if s.BeginWait == nil {
		return nil, func() {}
	}
	return s.BeginWait()
}

// keyWait describes what a blocking command waits for.
type keyWait struct {
	keys    [][]byte
	timeout int64 // milliseconds; 0 waits for ever
	// try answers at once if it can (a key has elements, or an error):
	// it writes the reply, returns true and names the key it pushed to,
	// if any.
	try func() (replied bool, pushed []byte)
	// serve answers from a signalled key (see waiter.serve).
	serve func(key []byte) (serveResult, []byte)
}

// waitOutcome is how blockForKeys ended.
type waitOutcome uint8

const (
	waitReplied  waitOutcome = iota // the reply is written
	waitTimedOut                    // the caller writes its timeout reply
	waitDenied                      // the client may not block: the caller writes its immediate reply
	waitDropped                     // the connection is gone: write nothing
)

// maxTimeoutMs is the longest timeout a timer is set for (about 100
// years); longer ones, like the ones whose deadline overflows in Redis,
// never fire.
const maxTimeoutMs = 100 * 365 * 24 * 3600 * 1000

// blockForKeys runs a blocking command: kw.try, then, if that did not
// answer, wait until a signal serves the client, the timeout passes,
// CLIENT UNBLOCK or a disconnect.
func (c *Ctx) blockForKeys(kw keyWait) waitOutcome {
	start := time.Now()
	s := c.Srv
	if replied, pushed := kw.try(); replied {
		if pushed != nil {
			s.signalKeyReady(c.DB(), pushed)
		}
		return waitReplied
	}
	b := s.Table.waits
	if c.Sess.depth > 1 || b == nil { // inside EXEC
		return waitDenied
	}
	// Deliver the earlier replies and watch the connection before the
	// waiter exists: from then on a signal may write this client's reply.
	gone, end := c.Sess.beginWait()
	defer end()
	select {
	case <-gone:
		return waitDropped
	default:
	}

	w := &waiter{sess: c.Sess.ID, db: c.DB(), gone: gone, serve: kw.serve, wake: make(chan struct{})}
	for _, k := range kw.keys {
		if !slices.Contains(w.keys, string(k)) {
			w.keys = append(w.keys, string(k))
		}
	}
	if b.tryOrAdd(kw.try, w) {
		return waitReplied
	}
	// While it waits, the client lets an EXEC run (txbarrier.go).
	resume := s.suspendBarrier(c.Sess)
	defer resume()

	var expired <-chan time.Time
	if kw.timeout > 0 && kw.timeout < maxTimeoutMs {
		t := time.NewTimer(time.Until(start.Add(time.Duration(kw.timeout) * time.Millisecond)))
		defer t.Stop()
		expired = t.C
	}
	st := waitTimeout
	select {
	case <-w.wake:
	case <-expired:
	case <-gone:
		st = waitGone
	}
	b.mu.Lock()
	if w.state == waiting {
		b.removeLocked(w, st)
	}
	st = w.state
	b.mu.Unlock()

	switch st {
	case waitServed:
		return waitReplied
	case waitError:
		c.W.WriteError(errUnblocked)
		return waitReplied
	case waitGone:
		return waitDropped
	}
	return waitTimedOut
}

// parseTimeout reads a blocking command's timeout in seconds as Redis
// 7.0's getTimeoutFromObjectOrReply does: a long double (strtold's
// syntax, so "0x1p3" and "inf" parse), times 1000, rounded up to whole
// milliseconds and converted as x87 does (a value out of the int64 range
// becomes the most negative one, hence "negative"). It returns
// milliseconds, 0 meaning for ever, and the error reply.
func parseTimeout(b []byte) (int64, string) {
	f, ok := parseLongDouble(b)
	if !ok {
		return 0, errTimeoutNotFloat
	}
	if f.IsInf() {
		return 0, errTimeoutNegative
	}
	ms := newLongDouble().Mul(f, newLongDouble().SetInt64(1000))
	i, acc := ms.Int(nil) // toward zero, which is ceil for a negative value
	if acc == big.Below {
		i.Add(i, big.NewInt(1))
	}
	if !i.IsInt64() || i.Sign() < 0 {
		return 0, errTimeoutNegative
	}
	return i.Int64(), ""
}

func cmdBlpop(c *Ctx) { blockingPop(c, true) }
func cmdBrpop(c *Ctx) { blockingPop(c, false) }

// blockingPop is BLPOP and BRPOP: [key, element] from the first
// non-empty key, or a null array when the timeout passes.
func blockingPop(c *Ctx, left bool) {
	timeout, msg := parseTimeout(c.Args[len(c.Args)-1])
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	keys := c.Args[1 : len(c.Args)-1]
	out := c.blockForKeys(keyWait{keys: keys, timeout: timeout,
		try: func() (bool, []byte) { return popFirst(c, keys, left, 1, popPair), nil },
		serve: func(key []byte) (serveResult, []byte) {
			return servePop(c, key, left, 1, popPair), nil
		}})
	if out == waitTimedOut || out == waitDenied {
		c.W.WriteNullArray()
	}
}

func cmdBlmpop(c *Ctx) {
	m, msg := parseMpop(c.Args, 2)
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	timeout, msg := parseTimeout(c.Args[1])
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	out := c.blockForKeys(keyWait{keys: m.keys, timeout: timeout,
		try: func() (bool, []byte) { return popFirst(c, m.keys, m.left, m.count, popNested), nil },
		serve: func(key []byte) (serveResult, []byte) {
			return servePop(c, key, m.left, m.count, popNested), nil
		}})
	if out == waitTimedOut || out == waitDenied {
		c.W.WriteNullArray()
	}
}

// servePop pops for a client blocked on key, which was signalled.
func servePop(c *Ctx, key []byte, left bool, count int64, shape popShape) serveResult {
	res := keyDrained
	err := c.Srv.Engine.Collection(c.DB(), key, engine.TypeList, func(l *engine.Coll) error {
		switch {
		case l.WrongType():
			res = notServed // a sorted set: its own waiters may take from it
		case l.Len() > 0:
			writePop(c.W, key, l, left, count, shape)
			res = served
		}
		return nil
	})
	if err != nil {
		return keyDrained
	}
	return res
}

func cmdBlmove(c *Ctx) {
	fromLeft, ok1 := parseWhere(c.Args[3])
	toLeft, ok2 := parseWhere(c.Args[4])
	if !ok1 || !ok2 {
		c.W.WriteError(ErrSyntax)
		return
	}
	blockingMove(c, fromLeft, toLeft, c.Args[5])
}

func cmdBrpoplpush(c *Ctx) { blockingMove(c, false, true, c.Args[3]) }

// blockingMove is BLMOVE and BRPOPLPUSH: LMOVE, or wait for the source to
// get an element. Like Redis, it blocks on a missing source whatever the
// destination holds; a destination of another type found when the
// source has an element is WRONGTYPE, also for a client served later.
func blockingMove(c *Ctx, fromLeft, toLeft bool, timeoutArg []byte) {
	timeout, msg := parseTimeout(timeoutArg)
	if msg != "" {
		c.W.WriteError(msg)
		return
	}
	src, dst := c.Args[1], c.Args[2]
	out := c.blockForKeys(keyWait{keys: [][]byte{src}, timeout: timeout,
		try: func() (bool, []byte) {
			res, err := lmove(c, src, dst, fromLeft, toLeft)
			switch {
			case err != nil:
				c.W.WriteError(EngineError(err))
			case res == moveNoSrc:
				return false, nil
			case res != moveDone:
				c.W.WriteError(ErrWrongType)
			default:
				return true, dst
			}
			return true, nil
		},
		serve: func([]byte) (serveResult, []byte) {
			res, err := lmove(c, src, dst, fromLeft, toLeft)
			switch {
			case err != nil:
				c.W.WriteError(EngineError(err))
			case res == moveNoSrc:
				return keyDrained, nil
			case res == moveSrcType:
				return notServed, nil
			case res == moveDstType:
				c.W.WriteError(ErrWrongType)
			default:
				return served, dst
			}
			return served, nil
		}})
	switch out {
	case waitTimedOut:
		c.W.WriteNullArray() // Redis's timeout reply for every list wait
	case waitDenied:
		c.W.WriteNull()
	}
}

// clientUnblockCommand is CLIENT UNBLOCK.
func clientUnblockCommand() *Command {
	return &Command{Name: "unblock", Arity: -3, Flags: FlagAdmin | FlagNoScript | FlagLoading | FlagStale,
		Categories: []string{"connection"}, Group: "connection", Since: "5.0.0",
		Summary:    "Unblock a client blocked in a blocking command from a different connection",
		Complexity: "O(log N) where N is the number of client connections",
		Args: []ArgDoc{
			{Name: "client-id", Type: "integer"},
			{Name: "timeout_error", Type: "oneof", Optional: true, Args: []ArgDoc{
				{Name: "timeout", Type: "pure-token", Token: "TIMEOUT"},
				{Name: "error", Type: "pure-token", Token: "ERROR"}}},
		},
		Handler: clientUnblock}
}

// clientUnblock is CLIENT UNBLOCK id [TIMEOUT|ERROR]: the blocked client
// gets its timeout reply, or the UNBLOCKED error. Replies 1 if the client
// was blocked.
func clientUnblock(c *Ctx) {
	if len(c.Args) > 4 {
		c.W.WriteError(subcommandSyntaxError(c))
		return
	}
	st := waitTimeout
	if len(c.Args) == 4 {
		switch {
		case isArg(c.Args[3], "timeout"):
		case isArg(c.Args[3], "error"):
			st = waitError
		default:
			c.W.WriteError(errUnblockReason)
			return
		}
	}
	id, ok := redisnum.ParseInt(c.Args[2])
	if !ok {
		c.W.WriteError(ErrNotInteger)
		return
	}
	b := c.Srv.Table.waits
	unblocked := false
	if b != nil {
		b.mu.Lock()
		if w := b.bySess[id]; w != nil && w.state == waiting {
			b.removeLocked(w, st)
			unblocked = true
		}
		b.mu.Unlock()
	}
	if unblocked {
		c.W.WriteInt(1)
	} else {
		c.W.WriteInt(0)
	}
}

// addSubcommand adds sc to the container parent registered earlier, as
// Table.Add would have. CLIENT UNBLOCK is defined here, next to the
// waiters it releases; the CLIENT container is RegisterClient's.
func addSubcommand(t *Table, parent string, sc *Command) {
	p := t.cmds[parent]
	if p == nil {
		return
	}
	if _, dup := p.Sub[sc.Name]; dup {
		panic("commands: duplicate subcommand " + parent + "|" + sc.Name)
	}
	sc.fullName = parent + "|" + sc.Name
	sc.parent = p
	sc.stats = new(cmdStats)
	p.Sub[sc.Name] = sc
}
