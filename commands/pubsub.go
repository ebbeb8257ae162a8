package commands

import (
	"slices"
	"sync/atomic"

	"github.com/nebredis/nebredis/config"
)

// Pub/Sub: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE,
// SUNSUBSCRIBE, PUBLISH, SPUBLISH and PUBSUB, as redis-server 7.0 answers
// them standalone (shard channels work like channels, without patterns).
//
// # Replies and messages
//
// Each (un)subscription is confirmed with its own push frame (an array of
// three in RESP2) carrying the session's subscription count afterwards:
// channels + patterns for the channel and pattern commands, shard
// channels for the shard ones. Messages are pushes too:
//
//	[message, <channel>, <payload>]
//	[pmessage, <pattern>, <channel>, <payload>]
//	[smessage, <shard channel>, <payload>]
//
// A RESP2 session with any subscription may only run the (P|S)SUBSCRIBE
// family, PING (answered ["pong", <arg or "">]), QUIT and RESET; the
// dispatcher refuses the rest. RESP3 sessions may run anything.
//
// # Delivery
//
// The publisher's goroutine delivers (pubsub_registry.go): it appends each
// message to the receiving connection's output with Session.Push, which
// queues it for the connection's flusher and never waits for the socket.
// A session's own messages (PUBLISH to a channel it listens on) go through
// its reply writer instead, so that they come before PUBLISH's reply as in
// Redis. SUBSCRIBE hands its confirmations to the connection
// (Session.Flush) before it registers, so no message can overtake them.
//
// Subscriptions end with UNSUBSCRIBE, RESET, or the connection
// (Server.CloseSession): the registry never keeps a closed session.

// pubsubKind is one of the three subscription spaces.
type pubsubKind struct {
	subscribe, unsubscribe string // reply frame names
	set                    func(s *subscriber) map[string]struct{}
	n                      func(s *subscriber) *atomic.Int64
	count                  func(s *subscriber) int64 // the count the replies carry
	add, remove            func(r *pubsubRegistry, name string, s *subscriber)
}

var (
	channelKind = &pubsubKind{subscribe: "subscribe", unsubscribe: "unsubscribe",
		set:    func(s *subscriber) map[string]struct{} { return s.channels },
		n:      func(s *subscriber) *atomic.Int64 { return &s.nChannels },
		count:  (*subscriber).subscriptions,
		add:    func(r *pubsubRegistry, name string, s *subscriber) { r.channels.add(name, s) },
		remove: func(r *pubsubRegistry, name string, s *subscriber) { r.channels.remove(name, s) }}
	patternKind = &pubsubKind{subscribe: "psubscribe", unsubscribe: "punsubscribe",
		set:    func(s *subscriber) map[string]struct{} { return s.patterns },
		n:      func(s *subscriber) *atomic.Int64 { return &s.nPatterns },
		count:  (*subscriber).subscriptions,
		add:    func(r *pubsubRegistry, name string, s *subscriber) { r.patterns.add(name, s) },
		remove: func(r *pubsubRegistry, name string, s *subscriber) { r.patterns.remove(name, s) }}
	shardKind = &pubsubKind{subscribe: "ssubscribe", unsubscribe: "sunsubscribe",
		set:    func(s *subscriber) map[string]struct{} { return s.shard },
		n:      func(s *subscriber) *atomic.Int64 { return &s.nShard },
		count:  func(s *subscriber) int64 { return s.nShard.Load() },
		add:    func(r *pubsubRegistry, name string, s *subscriber) { r.shard.add(name, s) },
		remove: func(r *pubsubRegistry, name string, s *subscriber) { r.shard.remove(name, s) }}
)

// RegisterPubSub adds the Pub/Sub commands.
func RegisterPubSub(t *Table) {
	const subFlags = FlagPubSub | FlagNoScript | FlagLoading | FlagStale
	const infoFlags = FlagPubSub | FlagLoading | FlagStale
	shardKey := []string{"not_key"}
	for _, c := range []*Command{
		{Name: "subscribe", Arity: -2, Flags: subFlags, Group: "pubsub", Since: "2.0.0",
			Summary:    "Listen for messages published to the given channels",
			Complexity: "O(N) where N is the number of channels to subscribe to.",
			Args:       []ArgDoc{{Name: "channel", Type: "string", Multiple: true}},
			Handler:    subscribeHandler(channelKind)},
		{Name: "unsubscribe", Arity: -1, Flags: subFlags, Group: "pubsub", Since: "2.0.0",
			Summary:    "Stop listening for messages posted to the given channels",
			Complexity: "O(N) where N is the number of clients already subscribed to a channel.",
			Args:       []ArgDoc{{Name: "channel", Type: "string", Optional: true, Multiple: true}},
			Handler:    unsubscribeHandler(channelKind)},
		{Name: "psubscribe", Arity: -2, Flags: subFlags, Group: "pubsub", Since: "2.0.0",
			Summary:    "Listen for messages published to channels matching the given patterns",
			Complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
			Args: []ArgDoc{{Name: "pattern", Type: "block", Multiple: true,
				Args: []ArgDoc{{Name: "pattern", Type: "pattern"}}}},
			Handler: subscribeHandler(patternKind)},
		{Name: "punsubscribe", Arity: -1, Flags: subFlags, Group: "pubsub", Since: "2.0.0",
			Summary:    "Stop listening for messages posted to channels matching the given patterns",
			Complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
			Args:       []ArgDoc{{Name: "pattern", Type: "pattern", Optional: true, Multiple: true}},
			Handler:    unsubscribeHandler(patternKind)},
		{Name: "ssubscribe", Arity: -2, Flags: subFlags, Group: "pubsub", Since: "7.0.0",
			FirstKey: 1, LastKey: -1, Step: 1, KeyFlags: shardKey,
			Summary:    "Listen for messages published to the given shard channels",
			Complexity: "O(N) where N is the number of shard channels to subscribe to.",
			Args:       []ArgDoc{{Name: "shardchannel", Type: "string", Multiple: true}},
			Handler:    subscribeHandler(shardKind)},
		{Name: "sunsubscribe", Arity: -1, Flags: subFlags, Group: "pubsub", Since: "7.0.0",
			FirstKey: 1, LastKey: -1, Step: 1, KeyFlags: shardKey,
			Summary:    "Stop listening for messages posted to the given shard channels",
			Complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
			Args:       []ArgDoc{{Name: "shardchannel", Type: "string", Optional: true, Multiple: true}},
			Handler:    unsubscribeHandler(shardKind)},
		{Name: "publish", Arity: 3, Flags: FlagPubSub | FlagLoading | FlagStale | FlagFast, Group: "pubsub",
			Since: "2.0.0", Summary: "Post a message to a channel",
			Complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
			Args:       []ArgDoc{{Name: "channel", Type: "string"}, {Name: "message", Type: "string"}},
			Handler:    publishHandler(false)},
		{Name: "spublish", Arity: 3, Flags: FlagPubSub | FlagLoading | FlagStale | FlagFast, Group: "pubsub",
			FirstKey: 1, LastKey: 1, Step: 1, KeyFlags: shardKey,
			Since: "7.0.0", Summary: "Post a message to a shard channel",
			Complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
			Args:       []ArgDoc{{Name: "shardchannel", Type: "string"}, {Name: "message", Type: "string"}},
			Handler:    publishHandler(true)},
		{Name: "pubsub", Arity: -2, Group: "pubsub", Since: "2.8.0",
			Summary: "A container for Pub/Sub commands", Complexity: "Depends on subcommand.",
			Sub: map[string]*Command{
				"channels": {Arity: -2, Flags: infoFlags, Group: "pubsub", Since: "2.8.0",
					Summary:    "List active channels",
					Complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
					Args:       []ArgDoc{{Name: "pattern", Type: "pattern", Optional: true}},
					Handler:    pubsubChannels(false)},
				"numsub": {Arity: -2, Flags: infoFlags, Group: "pubsub", Since: "2.8.0",
					Summary:    "Get the count of subscribers for channels",
					Complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
					Args:       []ArgDoc{{Name: "channel", Type: "string", Optional: true, Multiple: true}},
					Handler:    pubsubNumsub(false)},
				"numpat": {Arity: 2, Flags: infoFlags, Group: "pubsub", Since: "2.8.0",
					Summary: "Get the count of unique patterns pattern subscriptions", Complexity: "O(1)",
					Handler: func(c *Ctx) { c.W.WriteInt(int64(len(c.Srv.pubsub.patterns.load()))) }},
				"shardchannels": {Arity: -2, Flags: infoFlags, Group: "pubsub", Since: "7.0.0",
					Summary:    "List active shard channels",
					Complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
					Args:       []ArgDoc{{Name: "pattern", Type: "pattern", Optional: true}},
					Handler:    pubsubChannels(true)},
				"shardnumsub": {Arity: -2, Flags: infoFlags, Group: "pubsub", Since: "7.0.0",
					Summary:    "Get the count of subscribers for shard channels",
					Complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
					Args:       []ArgDoc{{Name: "shardchannel", Type: "string", Optional: true, Multiple: true}},
					Handler:    pubsubNumsub(true)},
				"help": helpCommand("6.2.0", "pubsub", pubsubHelp),
			}},
	} {
		t.Add(c)
	}
}

var pubsubHelp = []string{
	"PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CHANNELS [<pattern>]",
	"    Return the currently active channels matching a <pattern> (default: '*').",
	"NUMPAT",
	"    Return number of subscriptions to patterns.",
	"NUMSUB [<channel> ...]",
	"    Return the number of subscribers for the specified channels, excluding",
	"    pattern subscriptions(default: no channels).",
	"SHARDCHANNELS [<pattern>]",
	"    Return the currently active shard level channels matching a <pattern> (default: '*').",
	"SHARDNUMSUB [<shardchannel> ...]",
	"    Return the number of subscribers for the specified shard level channel(s)",
	"HELP",
	"    Prints this help.",
}

// InPubSub reports whether the session has any subscription (Redis's
// CLIENT_PUBSUB flag). Call it from the session's goroutine.
func (s *Session) InPubSub() bool { return s.pubsub != nil && s.pubsub.total() > 0 }

// pubsubRefusal is the dispatcher's subscribed-mode check: a RESP2
// session with subscriptions may run only the commands Redis allows in
// that context. It returns the error for any other command, or "".
func pubsubRefusal(sess *Session, cmd *Command) string {
	if sess.Proto >= 3 || !sess.InPubSub() {
		return ""
	}
	switch cmd.FullName() {
	case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset":
		return ""
	}
	return "ERR Can't execute '" + cmd.FullName() +
		"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
}

// pubsubPing answers PING for a RESP2 session in Pub/Sub mode, which
// Redis answers with a push-shaped ["pong", <message or "">]; it reports
// whether it did.
func pubsubPing(c *Ctx) bool {
	if c.Sess.Proto >= 3 || !c.Sess.InPubSub() || len(c.Args) > 2 {
		return false
	}
	c.W.WriteArray(2)
	c.W.WriteBulkString("pong")
	if len(c.Args) == 2 {
		c.W.WriteBulk(c.Args[1])
	} else {
		c.W.WriteBulkString("")
	}
	return true
}

// subscriberOf returns the session's subscription state, creating it.
func subscriberOf(sess *Session) *subscriber {
	if sess.pubsub == nil {
		sub := &subscriber{sess: sess, push: sess.Push, channels: make(map[string]struct{}),
			patterns: make(map[string]struct{}), shard: make(map[string]struct{})}
		sess.mu.Lock()
		sess.pubsub = sub
		sess.mu.Unlock()
	}
	return sess.pubsub
}

// writeSubscription writes one (un)subscription confirmation; a nil name
// is the null of an UNSUBSCRIBE that had nothing to unsubscribe from.
func writeSubscription(w Writer, kind string, name []byte, count int64) {
	w.WritePush(3)
	w.WriteBulkString(kind)
	if name == nil {
		w.WriteNull()
	} else {
		w.WriteBulk(name)
	}
	w.WriteInt(count)
}

func subscribeHandler(k *pubsubKind) Handler {
	return func(c *Ctx) {
		sub := subscriberOf(c.Sess)
		set := k.set(sub)
		var added []string
		for _, a := range c.Args[1:] {
			if _, ok := set[string(a)]; !ok {
				name := string(a)
				set[name] = struct{}{}
				k.n(sub).Add(1)
				added = append(added, name)
			}
			writeSubscription(c.W, k.subscribe, a, k.count(sub))
		}
		if len(added) == 0 {
			return
		}
		// Registered before the confirmations leave, so that a client that
		// has read one never misses a later message; the messages that
		// come meanwhile are held back until the confirmations are in the
		// output (see subscriber.held). Inside EXEC the reply is not
		// complete yet: it is sent whole afterwards.
		flush := c.Sess.depth == 1 && c.Sess.Flush != nil
		if flush {
			sub.hold()
		}
		for _, name := range added {
			k.add(&c.Srv.pubsub, name, sub)
		}
		if flush {
			c.Sess.Flush()
			sub.release()
		}
	}
}

func unsubscribeHandler(k *pubsubKind) Handler {
	return func(c *Ctx) {
		sub := c.Sess.pubsub
		count := func() int64 {
			if sub == nil {
				return 0
			}
			return k.count(sub)
		}
		if len(c.Args) == 1 {
			var names []string
			if sub != nil {
				names = sortedNames(k.set(sub))
			}
			if len(names) == 0 {
				writeSubscription(c.W, k.unsubscribe, nil, count())
				return
			}
			for _, name := range names {
				c.Srv.pubsub.drop(k, sub, name)
				writeSubscription(c.W, k.unsubscribe, []byte(name), count())
			}
			return
		}
		for _, a := range c.Args[1:] {
			if sub != nil {
				if _, ok := k.set(sub)[string(a)]; ok {
					c.Srv.pubsub.drop(k, sub, string(a))
				}
			}
			writeSubscription(c.W, k.unsubscribe, a, count())
		}
	}
}

func sortedNames(set map[string]struct{}) []string {
	out := make([]string, 0, len(set))
	for name := range set {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// drop ends one subscription of sub, which holds it.
func (r *pubsubRegistry) drop(k *pubsubKind, sub *subscriber, name string) {
	k.remove(r, name, sub)
	delete(k.set(sub), name)
	k.n(sub).Add(-1)
}

// dropAll ends every subscription of the session, without replies (RESET,
// the connection's end).
func (r *pubsubRegistry) dropAll(sess *Session) {
	sub := sess.pubsub
	if sub == nil {
		return
	}
	for _, k := range []*pubsubKind{channelKind, patternKind, shardKind} {
		for name := range k.set(sub) {
			r.drop(k, sub, name)
		}
	}
}

func publishHandler(shard bool) Handler {
	return func(c *Ctx) {
		n := c.Srv.pubsub.publish(c.Args[1], c.Args[2], shard, c.Sess, c.selfWriter())
		c.W.WriteInt(int64(n))
	}
}

// Publish delivers a message on a channel to its subscribers and the
// sessions with a matching pattern, as PUBLISH does, and returns how many
// deliveries were made. It may be called from any goroutine; it costs one
// atomic load per index when nobody listens.
func (s *Server) Publish(channel, message []byte) int {
	return s.pubsub.publish(channel, message, false, nil, nil)
}

func pubsubChannels(shard bool) Handler {
	return func(c *Ctx) {
		if len(c.Args) > 3 {
			c.W.WriteError(subcommandSyntaxError(c))
			return
		}
		var pattern []byte
		if len(c.Args) == 3 {
			pattern = c.Args[2]
		}
		idx := &c.Srv.pubsub.channels
		if shard {
			idx = &c.Srv.pubsub.shard
		}
		names := idx.names(pattern)
		c.W.WriteArray(len(names))
		for _, n := range names {
			c.W.WriteBulkString(n)
		}
	}
}

func pubsubNumsub(shard bool) Handler {
	return func(c *Ctx) {
		idx := &c.Srv.pubsub.channels
		if shard {
			idx = &c.Srv.pubsub.shard
		}
		c.W.WriteArray(2 * (len(c.Args) - 2))
		for _, ch := range c.Args[2:] {
			c.W.WriteBulk(ch)
			c.W.WriteInt(int64(idx.numsub(ch)))
		}
	}
}

// pubsubReset is RESET's hook: the session leaves Pub/Sub mode silently.
func (s *Server) pubsubReset(sess *Session) { s.pubsub.dropAll(sess) }

// applyPubSubConfig takes client-output-buffer-limit's pubsub class and
// notify-keyspace-events.
func (s *Server) applyPubSubConfig(cfg config.Config) {
	l := cfg.ClientOutputBufferLimits[config.ClassPubSub]
	s.pubsub.hardLimit.Store(int64(min(l.Hard, 1<<62)))
	s.pubsub.softLimit.Store(int64(min(l.Soft, 1<<62)))
	s.pubsub.softSeconds.Store(l.SoftSeconds)
	s.applyNotifyConfig(cfg.NotifyKeyspaceEvents)
}

// pubsubCounts is INFO's pubsub_channels, pubsub_patterns and
// pubsubshard_channels.
func (s *Server) pubsubCounts() (channels, patterns, shard int64) {
	return s.pubsub.channels.count.Load(), int64(len(s.pubsub.patterns.load())), s.pubsub.shard.count.Load()
}

// pubsubMode is CLIENT LIST's P flag: the session has subscriptions.
func (v sessionView) pubsubMode() bool { return v.sub+v.psub+v.ssub > 0 }

// clientType is the session's class for CLIENT LIST/KILL TYPE.
func (v sessionView) clientType() string {
	if v.pubsubMode() {
		return "pubsub"
	}
	return "normal"
}
