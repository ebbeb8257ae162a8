package commands

import (
	"strconv"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
)

// Keyspace notifications (notify-keyspace-events): a command that changes
// a key, and the engine when it expires or evicts one, publish
//
//	__keyspace@<db>__:<key>    with the event name as the message  (K)
//	__keyevent@<db>__:<event>  with the key as the message         (E)
//
// when the event's class (g, $, l, s, h, z, x, e...) is enabled, exactly
// as Redis's notifyKeyspaceEvent. The check is one atomic load when the
// class is off, and two more when nobody subscribes to anything, so every
// write can afford to call it.
//
// Wired so far: SET and its variants (set, expire), MSET (set), DEL and
// UNLINK (del), EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (expire, or del for
// a time in the past), and the engine's own deletions: expired (lazy and
// active expiry) and evicted (maxmemory-policy).

// notifyKeyspaceEvent publishes one keyspace event for key in db. It may
// be called from any goroutine, with no engine lock held or (for the
// engine's own deletions) with the key's shard lock held: publishing
// takes no engine lock.
func (s *Server) notifyKeyspaceEvent(class config.KeyspaceEvents, event string, key []byte, db int) {
	if flags := config.KeyspaceEvents(s.pubsub.notify.Load()); flags&class != 0 && !s.pubsub.idle() {
		s.publishKeyspaceEvent(flags, event, key, db, nil, nil)
	}
}

// publishKeyspaceEvent publishes the event's messages. self and selfW are
// the session whose command caused it and its writer (nil for the
// engine's deletions): a session subscribed to its own events gets them
// in line with its replies, before the command's, as in Redis.
func (s *Server) publishKeyspaceEvent(flags config.KeyspaceEvents, event string, key []byte, db int, self *Session, selfW Writer) {
	var buf [128]byte
	if flags&config.EventsKeyspace != 0 {
		ch := appendEventChannel(buf[:0], "__keyspace@", db, key)
		s.pubsub.publish(ch, []byte(event), false, self, selfW)
	}
	if flags&config.EventsKeyevent != 0 {
		ch := appendEventChannel(buf[:0], "__keyevent@", db, []byte(event))
		s.pubsub.publish(ch, key, false, self, selfW)
	}
}

func appendEventChannel(b []byte, prefix string, db int, name []byte) []byte {
	b = append(b, prefix...)
	b = strconv.AppendInt(b, int64(db), 10)
	b = append(b, "__:"...)
	return append(b, name...)
}

// notifying reports whether events of class are published at all, for
// callers that would loop over keys to notify them.
func (s *Server) notifying(class config.KeyspaceEvents) bool {
	return config.KeyspaceEvents(s.pubsub.notify.Load())&class != 0
}

// notify publishes an event for a key of the session's database; call it
// before writing the command's reply.
func (c *Ctx) notify(class config.KeyspaceEvents, event string, key []byte) {
	s := c.Srv
	if flags := config.KeyspaceEvents(s.pubsub.notify.Load()); flags&class != 0 && !s.pubsub.idle() {
		s.publishKeyspaceEvent(flags, event, key, c.Sess.DB, c.Sess, c.selfWriter())
	}
}

// selfWriter is where the session's own Pub/Sub messages go: its reply
// writer, so that they keep their place among its replies, except inside
// EXEC, whose reply is one array: there they are pushed like anyone's.
func (c *Ctx) selfWriter() Writer {
	if c.Sess.depth == 1 {
		return c.W
	}
	return nil
}

// notifySet is SET's notifications: set, then expire when it set a TTL.
func (c *Ctx) notifySet(key []byte, expire bool) {
	c.notify(config.EventsString, "set", key)
	if expire {
		c.notify(config.EventsGeneric, "expire", key)
	}
}

// applyNotifyConfig takes notify-keyspace-events and has the engine report
// its own deletions only while expired or evicted events are wanted.
func (s *Server) applyNotifyConfig(flags config.KeyspaceEvents) {
	s.pubsub.notify.Store(uint32(flags))
	if s.Engine == nil {
		return
	}
	if flags&(config.EventsExpired|config.EventsEvicted) != 0 {
		s.Engine.SetKeyEventFunc(s.engineKeyEvent)
	} else {
		s.Engine.SetKeyEventFunc(nil)
	}
}

// engineKeyEvent receives the engine's expirations and evictions, with the
// key's shard lock held.
func (s *Server) engineKeyEvent(ev engine.KeyEvent, db int, key []byte) {
	switch ev {
	case engine.KeyExpired:
		s.notifyKeyspaceEvent(config.EventsExpired, "expired", key, db)
	case engine.KeyEvicted:
		s.notifyKeyspaceEvent(config.EventsEvicted, "evicted", key, db)
	}
}
