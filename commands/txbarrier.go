package commands

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// The EXEC barrier: a transaction runs alone.
//
// Every command the dispatcher runs holds the barrier shared, from before
// its checks (an eviction is a change too) until its reply is written;
// EXEC holds it exclusively while it checks its WATCHed keys and runs its
// queued commands. So no client observes part of a transaction, and none
// changes a key between two of its commands, whatever shards the keys
// live on: what redis-server gets from running one command at a time.
//
// A shared hold must be cheap, since every command takes one. A
// sync.RWMutex would make all connections update one reader count, a
// cache line bouncing between cores on every command. Instead a command
// adds itself to one of barrierStripes counters (its session's, each on
// its own cache line) and then checks that no EXEC wants the barrier:
//
//	command (shared)                  EXEC (exclusive)
//	stripe.n++                        exclusive++
//	exclusive == 0? run               mu.Lock()
//	else stripe.n--, mu.RLock()       wait until every stripe.n == 0
//	                                  run, mu.Unlock(), exclusive--
//
// Both sides write their own variable and then read the other's (Go's
// atomics are sequentially consistent), so either the command sees the
// EXEC coming and queues behind it on mu, or the EXEC sees the command's
// count and waits for it. While an EXEC waits or runs, commands take mu
// shared, which makes them wait for it; between EXECs nobody touches mu.
//
// A command that waits for other clients (a blocking pop) releases its
// hold while it waits (suspendBarrier), or an EXEC would wait for it.
// Commands nested in EXEC take no hold: EXEC's covers them.
type execBarrier struct {
	exclusive atomic.Int32 // EXECs waiting for the barrier or holding it
	mu        sync.RWMutex // the slow path: shared while an EXEC is around, EXEC's exclusive hold
	stripes   [barrierStripes]barrierStripe
}

// barrierStripes is how many counters the shared holds spread over
// (sessions pick theirs by id); a power of two.
const barrierStripes = 64

type barrierStripe struct {
	n atomic.Int64 // commands of this stripe's sessions holding the barrier
	_ [120]byte    // one counter per 128 bytes: no false sharing, even with adjacent-line prefetch
}

// barrierHold is what a session holds of the barrier.
type barrierHold uint8

const (
	holdNone      barrierHold = iota
	holdStripe                // counted in its stripe (the fast path)
	holdShared                // mu.RLock (an EXEC was around)
	holdExclusive             // mu.Lock: the session is running EXEC
)

func (b *execBarrier) stripe(sess *Session) *barrierStripe {
	return &b.stripes[uint64(sess.ID)&(barrierStripes-1)]
}

// enter takes a shared hold for sess's command.
func (b *execBarrier) enter(sess *Session) {
	st := b.stripe(sess)
	st.n.Add(1)
	if b.exclusive.Load() == 0 {
		sess.tx.hold = holdStripe
		return
	}
	st.n.Add(-1)
	b.mu.RLock()
	sess.tx.hold = holdShared
}

// exit releases whatever sess holds; nothing if it holds nothing.
func (b *execBarrier) exit(sess *Session) {
	switch sess.tx.hold {
	case holdStripe:
		b.stripe(sess).n.Add(-1)
	case holdShared:
		b.mu.RUnlock()
	case holdExclusive:
		b.mu.Unlock()
		b.exclusive.Add(-1)
	}
	sess.tx.hold = holdNone
}

// lock turns sess's shared hold into the exclusive one: it returns when
// no other command runs, and none starts until sess's command ends (exit).
func (b *execBarrier) lock(sess *Session) {
	b.exit(sess)
	b.exclusive.Add(1)
	b.mu.Lock()
	for i := range b.stripes {
		for spins := 0; b.stripes[i].n.Load() != 0; spins++ {
			// The commands still running started before the EXEC and
			// are usually microseconds from their end.
			if spins < 64 {
				runtime.Gosched()
			} else {
				time.Sleep(20 * time.Microsecond)
			}
		}
	}
	sess.tx.hold = holdExclusive
}

// suspendBarrier releases sess's shared hold while its command waits for
// other clients, and returns the function that takes it again. A
// blocking command calls it once it is registered as a waiter: the
// clients that may serve it, and any EXEC, can then run.
func (s *Server) suspendBarrier(sess *Session) (resume func()) {
	if sess.tx.hold != holdStripe && sess.tx.hold != holdShared {
		return func() {}
	}
	s.tx.barrier.exit(sess)
	return func() { s.tx.barrier.enter(sess) }
}
