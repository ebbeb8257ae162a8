package commands

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nebredis/nebredis/engine"
)

// WATCH and UNWATCH: optimistic locking for MULTI/EXEC.
//
// EXEC answers null, running nothing, when a key the session WATCHed has
// changed since, by any client (the session itself included). Two
// mechanisms find the changes, together covering what Redis 7.0 covers:
//
//   - Touches. After a write command (FlagWrite) succeeds, the dispatcher
//     marks every session watching one of its keys (found with the row's
//     key positions, in the session's database) dirty. One atomic load
//     decides that nobody watches anything, so writes pay nothing else
//     while no WATCH is active. A write that answered an error changed
//     nothing and touches nothing; one that succeeded without changing
//     anything (DEL of a missing key) does touch, where Redis does not.
//
//   - Versions. WATCH records whether the key existed and the engine
//     version of its entry; EXEC looks again. A key that expired or was
//     evicted since (Redis 7.0 aborts for a WATCHed key that expires),
//     emptied by FLUSHDB or FLUSHALL, swapped by SWAPDB, or created in
//     its database by MOVE or COPY ... DB, no longer matches. This gives
//     Redis's FLUSHDB and SWAPDB semantics exactly: they abort the
//     transactions watching keys that existed before them (in either
//     database, for SWAPDB), and no others. Collection elements have
//     entries of their own, so HSET or LPUSH on an existing key keeps its
//     version: touches cover those.
//
// The check runs under EXEC's exclusive barrier, when every command that
// started before has ended, touches included: a change that completed
// before EXEC is never missed. A write racing with the WATCH itself may
// mark the session dirty although it completed just before: the
// transaction is then aborted needlessly, never run wrongly.
//
// The registry maps (database, key) to the sessions watching it. A session
// leaves it at EXEC, DISCARD, UNWATCH, RESET and when its connection
// closes (CloseSession), so it keeps no closed sessions.

// watchRegistry is the server's table of WATCHed keys.
type watchRegistry struct {
	n    atomic.Int64 // (session, key) pairs registered; writes skip touching while 0
	mu   sync.Mutex   // guards keys
	keys map[int]map[string][]*Session
}

// watchedKey is one key a session watches and what it was at WATCH.
type watchedKey struct {
	db      int
	key     string
	existed bool
	version uint64 // the engine version of its entry, if it existed
}

// registerWatch adds WATCH and UNWATCH (RegisterTransactions calls it).
func registerWatch(t *Table) {
	const flags = FlagNoScript | FlagLoading | FlagStale | FlagFast | FlagAllowBusy
	cats := []string{"transaction"}
	t.Add(&Command{Name: "watch", Arity: -2, Flags: flags,
		FirstKey: 1, LastKey: -1, Step: 1, KeyFlags: []string{"RO"},
		Categories: cats, Group: "transactions", Since: "2.2.0",
		Summary:    "Watch the given keys to determine execution of the MULTI/EXEC block",
		Complexity: "O(1) for every key.",
		Args:       []ArgDoc{{Name: "key", Type: "key", Multiple: true}},
		Handler:    cmdWatch})
	t.Add(&Command{Name: "unwatch", Arity: 1, Flags: flags,
		Categories: cats, Group: "transactions", Since: "2.2.0",
		Summary: "Forget about all watched keys", Complexity: "O(1)",
		Handler: cmdUnwatch})
}

func cmdWatch(c *Ctx) {
	if c.Sess.tx.multi {
		c.W.WriteError(errWatchInMulti)
		return
	}
	// Once dirty, the next EXEC fails whatever else happens (Redis does
	// not register more keys either).
	if !c.Sess.tx.dirty.Load() {
		for _, k := range c.Args[1:] {
			c.Srv.watchKey(c.Sess, c.DB(), k)
		}
	}
	c.W.WriteSimple("OK")
}

func cmdUnwatch(c *Ctx) {
	c.Srv.unwatchAll(c.Sess)
	c.W.WriteSimple("OK")
}

// watchKey registers key of db for sess, then records what the key is
// now: registering first means a write after the record always finds the
// registration.
func (s *Server) watchKey(sess *Session, db int, key []byte) {
	t := &sess.tx
	for _, wk := range t.watched {
		if wk.db == db && wk.key == string(key) {
			return
		}
	}
	wk := watchedKey{db: db, key: string(key)}
	r := &s.tx.watches
	r.mu.Lock()
	if r.keys == nil {
		r.keys = make(map[int]map[string][]*Session)
	}
	byKey := r.keys[db]
	if byKey == nil {
		byKey = make(map[string][]*Session)
		r.keys[db] = byKey
	}
	byKey[wk.key] = append(byKey[wk.key], sess)
	r.n.Add(1)
	r.mu.Unlock()
	if s.Engine != nil {
		wk.existed = s.Engine.Peek(db, key, func(v *engine.Value) { wk.version = v.Version })
	}
	t.watched = append(t.watched, wk)
}

// unwatchAll forgets every key sess watches and clears its dirty mark.
func (s *Server) unwatchAll(sess *Session) {
	t := &sess.tx
	if len(t.watched) > 0 {
		r := &s.tx.watches
		r.mu.Lock()
		for _, wk := range t.watched {
			byKey := r.keys[wk.db]
			q := byKey[wk.key]
			if i := slices.Index(q, sess); i >= 0 {
				q[i] = q[len(q)-1]
				q[len(q)-1] = nil
				q = q[:len(q)-1]
			}
			if len(q) == 0 {
				delete(byKey, wk.key)
				if len(byKey) == 0 {
					delete(r.keys, wk.db)
				}
			} else {
				byKey[wk.key] = q
			}
		}
		r.n.Add(-int64(len(t.watched)))
		r.mu.Unlock()
		t.watched = nil
	}
	t.dirty.Store(false)
}

// watching reports whether any session watches a key: until then writes
// do not look for their keys in the registry.
func (s *Server) watching() bool { return s.tx.watches.n.Load() > 0 }

// touchWatched marks dirty the sessions watching a key of the write
// command that sess just ran.
func (s *Server) touchWatched(sess *Session, cmd *Command, args [][]byte) {
	idx := cmd.KeyIndexes(args)
	if len(idx) == 0 {
		return
	}
	r := &s.tx.watches
	r.mu.Lock()
	defer r.mu.Unlock()
	byKey := r.keys[sess.DB]
	if byKey == nil {
		return
	}
	for _, i := range idx {
		if i < len(args) {
			for _, o := range byKey[string(args[i])] {
				o.tx.dirty.Store(true)
			}
		}
	}
}

// watchBroken reports whether a key sess watches has changed since its
// WATCH: touched, or found otherwise than WATCH recorded it.
func (s *Server) watchBroken(sess *Session) bool {
	t := &sess.tx
	if t.dirty.Load() {
		return true
	}
	if s.Engine == nil {
		return false
	}
	for _, wk := range t.watched {
		var version uint64
		exists := s.Engine.Peek(wk.db, []byte(wk.key), func(v *engine.Value) { version = v.Version })
		if exists != wk.existed || exists && version != wk.version {
			return true
		}
	}
	return false
}
