package commands

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/nebredis/nebredis/engine"
)

// Session is one client connection's state. resp/ creates it with
// Server.NewSession, runs every command of the connection through
// Server.Exec from a single goroutine, and calls Server.CloseSession at the
// end.
//
// The exported fields are owned by that goroutine: handlers read them
// freely. Fields that CLIENT LIST/INFO show to other connections (DB, Proto,
// Name, LibName, LibVer, NoEvict, Authenticated) must be changed through
// the setters below, which take mu, so that another goroutine can read them
// under mu (Session.snapshot).
type Session struct {
	ID        int64
	Addr      string // remote ip:port
	LocalAddr string
	FD        int // file descriptor, for CLIENT LIST; 0 when unknown
	Created   time.Time

	DB            int
	Proto         int // 2 or 3
	Authenticated bool
	Name          string
	LibName       string
	LibVer        string
	NoEvict       bool

	// Kill closes the connection from another goroutine (CLIENT KILL,
	// SHUTDOWN). Set by resp/.
	Kill func()
	// BeginWait is set by resp/. A handler about to wait for other clients
	// (a blocking pop that found nothing) calls it before writing its
	// reply: the connection delivers the replies of the commands before
	// this one and watches the socket while the handler waits. done is
	// closed when the peer disconnects or the connection is killed; end
	// must be called once, before the handler returns. Requests that arrive
	// meanwhile run after the command. nil: no connection to watch.
	BeginWait func() (done <-chan struct{}, end func())
	// Push and Flush are set by resp/ for Pub/Sub (pubsub.go). Push hands
	// the connection a complete frame from any goroutine (a publisher's):
	// it is queued behind the replies already flushed and never blocks on
	// the socket. It returns the bytes waiting to be written, or -1 when
	// the connection is finished; frame may be reused when it returns.
	// Flush, called by a handler that has written its whole reply, sends
	// the replies so far, so that frames pushed afterwards follow them.
	Push  func(frame []byte) int
	Flush func()

	mu sync.Mutex // guards writes of the fields CLIENT LIST shows, for readers elsewhere

	lastActive atomic.Int64 // unix ms
	lastCmd    atomic.Pointer[string]
	killed     atomic.Bool
	resp3      atomic.Bool // Proto >= 3, for publishers on other goroutines

	// pubsub is the session's subscriptions, nil until its first SUBSCRIBE;
	// set under mu by the session's goroutine (pubsub.go).
	pubsub *subscriber

	// tx is the session's MULTI/EXEC and WATCH state (multi.go).
	tx sessTx

	// Reused by Exec so that a command costs no allocation; depth > 0 means
	// a handler is running Exec recursively (EXEC) and needs fresh ones.
	ctx   Ctx
	reply replyCounter
	depth int

	// lastEnd is when the session's last top-level command ended (time
	// since the server started), the start of a command run by ExecNext;
	// 0 after Exec, which reads the clock instead.
	lastEnd time.Duration

	scratch scratch
}

// scratch is per-session space that hot handlers build their engine
// requests in instead of allocating. A handler uses it only while it runs
// and releases it before returning; the session runs one handler at a time
// (a nested EXEC call runs between, never inside, another's use).
type scratch struct {
	digits  [20]byte // INCR's new value, formatted
	keyRefs []engine.KeyRef
	writes  []engine.Write
}

// maxScratch bounds the slices scratch keeps between commands, so that
// one huge MSET does not pin its buffers for the session's lifetime.
const maxScratch = 256

// release drops the references the slices hold into the connection's read
// buffer and into engine copies, and gives up oversized slices.
func (s *scratch) release() {
	clear(s.keyRefs)
	clear(s.writes)
	if cap(s.keyRefs) > maxScratch {
		s.keyRefs = nil
	}
	if cap(s.writes) > maxScratch {
		s.writes = nil
	}
}

// Action tells the connection loop what to do after a reply is written.
type Action uint8

const (
	Continue Action = iota
	// Close: flush pending replies, then close the connection (QUIT).
	Close
)

// SetDB selects a database (SELECT, RESET).
func (s *Session) SetDB(db int) {
	s.mu.Lock()
	s.DB = db
	s.mu.Unlock()
}

// SetProto switches the reply protocol (HELLO, RESET).
func (s *Session) SetProto(p int) {
	s.mu.Lock()
	s.Proto = p
	s.resp3.Store(p >= 3)
	s.mu.Unlock()
}

// SetName sets CLIENT SETNAME's name.
func (s *Session) SetName(name string) {
	s.mu.Lock()
	s.Name = name
	s.mu.Unlock()
}

// SetLib sets CLIENT SETINFO's library name or version; attr is "lib-name"
// or "lib-ver".
func (s *Session) SetLib(attr, v string) {
	s.mu.Lock()
	if attr == "lib-name" {
		s.LibName = v
	} else {
		s.LibVer = v
	}
	s.mu.Unlock()
}

// SetNoEvict sets CLIENT NO-EVICT.
func (s *Session) SetNoEvict(on bool) {
	s.mu.Lock()
	s.NoEvict = on
	s.mu.Unlock()
}

// SetAuthenticated records the outcome of AUTH, HELLO AUTH or RESET.
func (s *Session) SetAuthenticated(ok bool) {
	s.mu.Lock()
	s.Authenticated = ok
	s.mu.Unlock()
}

// sessionView is a consistent copy of what CLIENT LIST shows.
type sessionView struct {
	id                         int64
	addr, laddr                string
	fd                         int
	created                    time.Time
	db, proto                  int
	name, libName, libVer, cmd string
	noEvict                    bool
	lastActive                 int64
	sub, psub, ssub            int64 // subscriptions: channels, patterns, shard channels
	multi, multiMem            int64 // queued commands (-1 outside MULTI) and their memory
	dirtyCAS                   bool  // a WATCHed key was touched
}

// snapshot copies the session's visible state; safe from any goroutine.
func (s *Session) snapshot() sessionView {
	s.mu.Lock()
	v := sessionView{id: s.ID, addr: s.Addr, laddr: s.LocalAddr, fd: s.FD, created: s.Created,
		db: s.DB, proto: s.Proto, name: s.Name, libName: s.LibName, libVer: s.LibVer, noEvict: s.NoEvict}
	if p := s.pubsub; p != nil {
		v.sub, v.psub, v.ssub = p.nChannels.Load(), p.nPatterns.Load(), p.nShard.Load()
	}
	s.mu.Unlock()
	v.cmd = "NULL"
	if p := s.lastCmd.Load(); p != nil {
		v.cmd = *p
	}
	v.lastActive = s.lastActive.Load()
	v.multi, v.multiMem, v.dirtyCAS = s.tx.shown.Load()-1, s.tx.shownMem.Load(), s.tx.dirty.Load()
	return v
}
