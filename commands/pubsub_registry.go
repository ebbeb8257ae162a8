package commands

import (
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nebredis/nebredis/internal/glob"
)

// pubsubRegistry is the server-wide index of Pub/Sub subscriptions: which
// sessions listen on each channel, shard channel and pattern. Publishers
// read it from any goroutine; sessions change it from their own.
//
// # Cost of a publish
//
// A publish that finds nobody listening costs one atomic load per index
// (channels, patterns), no lock: keyspace notifications and cluster
// announcements publish on every write whether or not anyone listens.
// Otherwise it read-locks one of channelShards shards for the map lookup
// only, and reads the pattern list through an atomic pointer. The
// subscriber lists it gets are immutable (copy on write), so it delivers
// with no registry lock held, and delivery itself takes only each
// receiving connection's own output lock (Session.Push): a slow
// subscriber never blocks a publisher, and publishers on different
// channels never contend.
//
// # Slow subscribers
//
// A subscriber whose pending output passes client-output-buffer-limit's
// pubsub class (a hard limit, or a soft limit held for some seconds) is
// disconnected by the publisher that notices, as Redis does: the frames
// already queued are dropped with the connection.
type pubsubRegistry struct {
	channels channelIndex // SUBSCRIBE
	shard    channelIndex // SSUBSCRIBE
	patterns patternIndex // PSUBSCRIBE

	// client-output-buffer-limit, pubsub class: bytes (0 = none) and the
	// seconds the soft limit may be exceeded.
	hardLimit, softLimit, softSeconds atomic.Int64

	notify atomic.Uint32 // notify-keyspace-events, config.KeyspaceEvents (notify.go)
}

// idle reports that nobody listens on ordinary channels or patterns.
func (r *pubsubRegistry) idle() bool {
	return r.channels.count.Load() == 0 && r.patterns.list.Load() == nil
}

// channelShards spreads channels over independently locked maps.
const channelShards = 32

// channelIndex maps channel names to their subscribers.
type channelIndex struct {
	count  atomic.Int64 // channels with at least one subscriber
	shards [channelShards]channelShard
}

type channelShard struct {
	mu sync.RWMutex // guards subs
	// subs: a stored slice is never modified (copy on write), so a
	// publisher may range over it after unlocking. No empty slices.
	subs map[string][]*subscriber
	_    [32]byte // keep shards on separate cache lines
}

// shardOf is FNV-1a: the shard only spreads lock contention, so a
// predictable hash costs nothing but contention.
func shardOf[T string | []byte](x *channelIndex, ch T) *channelShard {
	h := uint32(2166136261)
	for i := 0; i < len(ch); i++ {
		h = (h ^ uint32(ch[i])) * 16777619
	}
	return &x.shards[h%channelShards]
}

// add subscribes s to ch; the caller knows s was not subscribed.
func (x *channelIndex) add(ch string, s *subscriber) {
	sh := shardOf(x, ch)
	sh.mu.Lock()
	if sh.subs == nil {
		sh.subs = make(map[string][]*subscriber)
	}
	old := sh.subs[ch]
	sh.subs[ch] = append(old[:len(old):len(old)], s)
	if len(old) == 0 {
		x.count.Add(1)
	}
	sh.mu.Unlock()
}

// remove unsubscribes s from ch; the caller knows s was subscribed.
func (x *channelIndex) remove(ch string, s *subscriber) {
	sh := shardOf(x, ch)
	sh.mu.Lock()
	old := sh.subs[ch]
	if i := slices.Index(old, s); i >= 0 {
		if len(old) == 1 {
			delete(sh.subs, ch)
			x.count.Add(-1)
		} else {
			sh.subs[ch] = slices.Delete(slices.Clone(old), i, i+1)
		}
	}
	sh.mu.Unlock()
}

// lookup returns the subscribers of ch; the slice must not be modified.
func (x *channelIndex) lookup(ch []byte) []*subscriber {
	if x.count.Load() == 0 {
		return nil
	}
	sh := shardOf(x, ch)
	sh.mu.RLock()
	subs := sh.subs[string(ch)]
	sh.mu.RUnlock()
	return subs
}

// numsub is PUBSUB NUMSUB's count for one channel.
func (x *channelIndex) numsub(ch []byte) int { return len(x.lookup(ch)) }

// names returns the channels with subscribers that match pattern (nil:
// all), for PUBSUB CHANNELS.
func (x *channelIndex) names(pattern []byte) []string {
	var out []string
	for i := range x.shards {
		sh := &x.shards[i]
		sh.mu.RLock()
		for ch := range sh.subs {
			if pattern == nil || glob.Match(pattern, []byte(ch)) {
				out = append(out, ch)
			}
		}
		sh.mu.RUnlock()
	}
	sort.Strings(out)
	return out
}

// patternIndex maps patterns to their subscribers. Publishers read the
// immutable list behind list; writers build a new one under mu.
type patternIndex struct {
	mu   sync.Mutex // serializes writers
	list atomic.Pointer[[]patternSubs]
}

// patternSubs is one pattern and its subscribers, in subscription order.
type patternSubs struct {
	pattern []byte
	subs    []*subscriber
}

// load returns the patterns with subscribers; nil when there are none.
func (x *patternIndex) load() []patternSubs {
	if p := x.list.Load(); p != nil {
		return *p
	}
	return nil
}

// add subscribes s to pattern; the caller knows s was not subscribed.
func (x *patternIndex) add(pattern string, s *subscriber) {
	x.mu.Lock()
	defer x.mu.Unlock()
	old := x.load()
	next := make([]patternSubs, len(old), len(old)+1)
	copy(next, old)
	for i := range next {
		if string(next[i].pattern) == pattern {
			subs := next[i].subs
			next[i].subs = append(subs[:len(subs):len(subs)], s)
			x.list.Store(&next)
			return
		}
	}
	next = append(next, patternSubs{pattern: []byte(pattern), subs: []*subscriber{s}})
	x.list.Store(&next)
}

// remove unsubscribes s from pattern; the caller knows s was subscribed.
func (x *patternIndex) remove(pattern string, s *subscriber) {
	x.mu.Lock()
	defer x.mu.Unlock()
	old := x.load()
	for i := range old {
		if string(old[i].pattern) != pattern {
			continue
		}
		j := slices.Index(old[i].subs, s)
		if j < 0 {
			return
		}
		var next []patternSubs
		if len(old[i].subs) == 1 {
			next = slices.Delete(slices.Clone(old), i, i+1)
		} else {
			next = slices.Clone(old)
			next[i].subs = slices.Delete(slices.Clone(old[i].subs), j, j+1)
		}
		if len(next) == 0 {
			x.list.Store(nil)
		} else {
			x.list.Store(&next)
		}
		return
	}
}

// subscriber is one session's Pub/Sub state. The sets belong to the
// session's goroutine; the counts are mirrored in atomics for CLIENT LIST
// and the dispatcher's subscribed-mode check.
type subscriber struct {
	sess *Session
	push func(frame []byte) int

	// Owned by the session's goroutine.
	channels, patterns, shard map[string]struct{}

	nChannels, nPatterns, nShard atomic.Int64

	// softSince is when (unix seconds) pending output was first seen over
	// the soft limit, 0 while it is under; closing is set once the
	// session was disconnected for its output.
	softSince atomic.Int64
	closing   atomic.Bool

	// While a (P|S)SUBSCRIBE's confirmations are not yet handed to the
	// output, held is set and messages for the session wait in pending,
	// so that none overtakes a confirmation; the subscription itself is
	// registered before the confirmation leaves, so a client that has
	// read it never misses a message published afterwards.
	held    atomic.Bool
	holdMu  sync.Mutex // guards pending, and held's transitions
	pending []byte
}

// hold starts holding messages back (see held).
func (s *subscriber) hold() { s.held.Store(true) }

// release hands the held messages to the output, after the confirmations.
func (s *subscriber) release() {
	s.holdMu.Lock()
	s.held.Store(false)
	pending := s.pending
	s.pending = nil
	s.holdMu.Unlock()
	if len(pending) > 0 && s.push != nil {
		s.push(pending)
	}
}

// subscriptions is Redis's clientSubscriptionsCount: channels + patterns
// (the count SUBSCRIBE and PSUBSCRIBE report).
func (s *subscriber) subscriptions() int64 { return s.nChannels.Load() + s.nPatterns.Load() }

// total counts every subscription, shard channels included: a session
// with any is in Pub/Sub mode.
func (s *subscriber) total() int64 { return s.subscriptions() + s.nShard.Load() }

// deliverer sends one published message: it encodes the frames once per
// publish and hands them to each receiving session.
type deliverer struct {
	r     *pubsubRegistry
	buf   []byte
	self  *Session // the publishing session, or nil
	selfW Writer   // its reply writer: its own messages go in line with its replies
}

var frameBufs = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// publish delivers msg on ch to the channel's (or shard channel's)
// subscribers and, for ordinary channels, to the sessions with a matching
// pattern, and returns how many deliveries were made: a session
// subscribed to the channel and to a matching pattern counts twice.
func (r *pubsubRegistry) publish(ch, msg []byte, shard bool, self *Session, selfW Writer) int {
	idx := &r.channels
	if shard {
		idx = &r.shard
	}
	subs := idx.lookup(ch)
	var pats []patternSubs
	if !shard {
		pats = r.patterns.load()
	}
	if len(subs) == 0 && len(pats) == 0 {
		return 0
	}
	bp := frameBufs.Get().(*[]byte)
	d := deliverer{r: r, buf: (*bp)[:0], self: self, selfW: selfW}
	n := 0
	if len(subs) > 0 {
		kind := "message"
		if shard {
			kind = "smessage"
		}
		d.buf = appendMessage(d.buf, kind, nil, ch, msg)
		for _, s := range subs {
			d.deliver(s)
		}
		n += len(subs)
	}
	for i := range pats {
		p := &pats[i]
		if !glob.Match(p.pattern, ch) {
			continue
		}
		d.buf = appendMessage(d.buf[:0], "pmessage", p.pattern, ch, msg)
		for _, s := range p.subs {
			d.deliver(s)
		}
		n += len(p.subs)
	}
	if cap(d.buf) <= 64<<10 {
		*bp = d.buf[:0]
		frameBufs.Put(bp)
	}
	return n
}

// holdBack keeps frame for release if the session still holds messages.
func (s *subscriber) holdBack(frame []byte) bool {
	s.holdMu.Lock()
	defer s.holdMu.Unlock()
	if !s.held.Load() {
		return false
	}
	s.pending = append(s.pending, frame...)
	return true
}

// deliver hands the frame in d.buf (RESP2 shape) to one subscriber.
func (d *deliverer) deliver(s *subscriber) {
	if s.sess.resp3.Load() {
		d.buf[0] = '>' // a push frame; restored below (the frame is copied)
	}
	switch {
	case s.sess == d.self && d.selfW != nil:
		d.selfW.WriteRaw(d.buf)
	case s.closing.Load() || s.push == nil:
	case s.held.Load() && s.holdBack(d.buf):
	default:
		if pending := s.push(d.buf); pending > 0 {
			d.r.checkOutput(s, int64(pending))
		}
	}
	d.buf[0] = '*'
}

// checkOutput applies client-output-buffer-limit's pubsub class to a
// subscriber with pending bytes of output: over the hard limit, or over
// the soft limit for more than its seconds, it is disconnected.
func (r *pubsubRegistry) checkOutput(s *subscriber, pending int64) {
	over := false
	if hard := r.hardLimit.Load(); hard > 0 && pending >= hard {
		over = true
	}
	if soft := r.softLimit.Load(); soft > 0 && pending >= soft {
		now := time.Now().Unix()
		since := s.softSince.Load()
		switch {
		case since == 0:
			s.softSince.CompareAndSwap(0, now)
		case now-since > r.softSeconds.Load():
			over = true
		}
	} else if s.softSince.Load() != 0 {
		s.softSince.Store(0)
	}
	if over && s.closing.CompareAndSwap(false, true) {
		s.sess.killed.Store(true)
		if s.sess.Kill != nil {
			s.sess.Kill()
		}
	}
}

// appendMessage appends a RESP2 Pub/Sub message:
//
//	*3 <kind> <channel> <message>              message, smessage
//	*4 pmessage <pattern> <channel> <message>  when pattern != nil
//
// A RESP3 frame is the same bytes with '>' for the first '*'.
func appendMessage(b []byte, kind string, pattern, ch, msg []byte) []byte {
	if pattern != nil {
		b = append(b, "*4\r\n"...)
	} else {
		b = append(b, "*3\r\n"...)
	}
	b = appendBulk(b, kind)
	if pattern != nil {
		b = appendBulk(b, pattern)
	}
	b = appendBulk(b, ch)
	return appendBulk(b, msg)
}

func appendBulk[T string | []byte](b []byte, s T) []byte {
	b = append(b, '$')
	b = appendUint(b, uint64(len(s)))
	b = append(b, '\r', '\n')
	b = append(b, s...)
	return append(b, '\r', '\n')
}

func appendUint(b []byte, n uint64) []byte {
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, d[i:]...)
}
