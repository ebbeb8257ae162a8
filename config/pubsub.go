package config

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// Client classes of client-output-buffer-limit, in Redis's order (which
// is also the order CONFIG GET prints them in).
const (
	ClassNormal  = 0
	ClassReplica = 1 // "slave" in CONFIG GET; "replica" accepted
	ClassPubSub  = 2
)

var classNames = [3]string{"normal", "slave", "pubsub"}

// OutputBufferLimit is one class of client-output-buffer-limit: a client
// whose pending output reaches Hard bytes, or stays at Soft bytes or more
// for more than SoftSeconds, is disconnected. 0 bytes means no limit.
type OutputBufferLimit struct {
	Hard, Soft  uint64
	SoftSeconds int64
}

// defaultOutputBufferLimits is redis-server 7's default:
// normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60.
var defaultOutputBufferLimits = [3]OutputBufferLimit{
	{},
	{Hard: 256 << 20, Soft: 64 << 20, SoftSeconds: 60},
	{Hard: 32 << 20, Soft: 8 << 20, SoftSeconds: 60},
}

func outputBufferLimitsGet(c *Config) string {
	var b strings.Builder
	for i, l := range c.ClientOutputBufferLimits {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(classNames[i])
		b.WriteByte(' ')
		b.WriteString(strconv.FormatUint(l.Hard, 10))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatUint(l.Soft, 10))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(l.SoftSeconds, 10))
	}
	return b.String()
}

// setOutputBufferLimits follows Redis's updateClientOutputBufferLimit:
// groups of <class> <hard> <soft> <soft seconds>; the classes named are
// replaced, the others kept; any error changes nothing. Sizes are read
// like memtoull, seconds like C's strtoll stored in an int.
func setOutputBufferLimits(c *Config, a []string) error {
	if len(a) == 1 && a[0] == "" {
		a = nil
	}
	if len(a)%4 != 0 {
		return errors.New("Wrong number of arguments in buffer limit configuration.")
	}
	next := c.ClientOutputBufferLimits
	for j := 0; j < len(a); j += 4 {
		class := -1
		switch strings.ToLower(a[j]) {
		case "normal":
			class = ClassNormal
		case "slave", "replica":
			class = ClassReplica
		case "pubsub":
			class = ClassPubSub
		}
		if class < 0 {
			return errors.New("Invalid client class specified in buffer limit configuration.")
		}
		hard, err1 := ParseMemory(a[j+1])
		soft, err2 := ParseMemory(a[j+2])
		secs, ok := cStrtollInt(a[j+3])
		if err1 != nil || err2 != nil || !ok || secs < 0 {
			return errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
		}
		next[class] = OutputBufferLimit{Hard: hard, Soft: soft, SoftSeconds: int64(secs)}
	}
	c.ClientOutputBufferLimits = next
	return nil
}

// cStrtollInt is `int v = strtoll(s, &end, 10)` followed by Redis's
// `*end == '\0'` check: leading blanks and a sign are accepted, overflow
// saturates, and the result is truncated to 32 bits.
func cStrtollInt(s string) (int32, bool) {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v uint64
	over := false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if v > (math.MaxUint64-9)/10 {
			over = true
		} else {
			v = v*10 + uint64(s[i]-'0')
		}
		i++
	}
	if i == start {
		return 0, s == "" // no digits: end stays at s, so only "" passes
	}
	if i != len(s) {
		return 0, false
	}
	var n int64
	switch {
	case !neg && (over || v > math.MaxInt64):
		n = math.MaxInt64
	case neg && (over || v > 1<<63):
		n = math.MinInt64
	case neg:
		n = -int64(v)
	default:
		n = int64(v)
	}
	return int32(n), true
}

// KeyspaceEvents is notify-keyspace-events: which keyspace notifications
// are published. The bits are Redis's NOTIFY_* flags.
type KeyspaceEvents uint32

const (
	EventsKeyspace KeyspaceEvents = 1 << 0  // K: __keyspace@<db>__:<key> channels
	EventsKeyevent KeyspaceEvents = 1 << 1  // E: __keyevent@<db>__:<event> channels
	EventsGeneric  KeyspaceEvents = 1 << 2  // g: DEL, EXPIRE, RENAME...
	EventsString   KeyspaceEvents = 1 << 3  // $
	EventsList     KeyspaceEvents = 1 << 4  // l
	EventsSet      KeyspaceEvents = 1 << 5  // s
	EventsHash     KeyspaceEvents = 1 << 6  // h
	EventsZSet     KeyspaceEvents = 1 << 7  // z
	EventsExpired  KeyspaceEvents = 1 << 8  // x
	EventsEvicted  KeyspaceEvents = 1 << 9  // e
	EventsStream   KeyspaceEvents = 1 << 10 // t
	EventsKeyMiss  KeyspaceEvents = 1 << 11 // m (not part of A)
	EventsModule   KeyspaceEvents = 1 << 13 // d
	EventsNew      KeyspaceEvents = 1 << 14 // n (not part of A)
	// EventsAll is A: every class but m and n.
	EventsAll = EventsGeneric | EventsString | EventsList | EventsSet | EventsHash | EventsZSet |
		EventsExpired | EventsEvicted | EventsStream | EventsModule
)

// keyspaceEventLetters maps each letter to its flags, in the order Redis
// prints the class letters.
var keyspaceEventLetters = []struct {
	letter byte
	flag   KeyspaceEvents
}{
	{'g', EventsGeneric}, {'$', EventsString}, {'l', EventsList}, {'s', EventsSet},
	{'h', EventsHash}, {'z', EventsZSet}, {'x', EventsExpired}, {'e', EventsEvicted},
	{'t', EventsStream}, {'d', EventsModule}, {'n', EventsNew},
	{'K', EventsKeyspace}, {'E', EventsKeyevent}, {'m', EventsKeyMiss}, {'A', EventsAll},
}

// ParseKeyspaceEvents reads notify-keyspace-events letters as Redis's
// keyspaceEventsStringToFlags does (case-sensitive, any order).
func ParseKeyspaceEvents(s string) (KeyspaceEvents, error) {
	var f KeyspaceEvents
next:
	for i := 0; i < len(s); i++ {
		for _, l := range keyspaceEventLetters {
			if l.letter == s[i] {
				f |= l.flag
				continue next
			}
		}
		return 0, errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
	}
	return f, nil
}

// String prints the flags as CONFIG GET does (keyspaceEventsFlagsToString):
// A when every class of A is on, else the class letters; then K, E, m.
func (f KeyspaceEvents) String() string {
	var b []byte
	if f&EventsAll == EventsAll {
		b = append(b, 'A')
	} else {
		for _, l := range keyspaceEventLetters[:11] {
			if f&l.flag != 0 {
				b = append(b, l.letter)
			}
		}
	}
	for _, l := range keyspaceEventLetters[11:14] {
		if f&l.flag != 0 {
			b = append(b, l.letter)
		}
	}
	return string(b)
}

func setKeyspaceEvents(c *Config, a []string) error {
	f, err := ParseKeyspaceEvents(a[0])
	if err == nil {
		c.NotifyKeyspaceEvents = f
	}
	return err
}
