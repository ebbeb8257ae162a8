package commands

import (
	"sync/atomic"
	"time"
)

// Session is one client connection's state. resp/ creates it with
// Server.NewSession, runs every command of the connection through
// Server.Exec from a single goroutine, and calls Server.CloseSession at the
// end. Fields other than the atomics are owned by that goroutine; CLIENT
// LIST reads them through Server's registry lock (see clients.go).
type Session struct {
	ID        int64
	Addr      string // remote ip:port
	LocalAddr string
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

	lastActive atomic.Int64 // unix ms
	lastCmd    atomic.Pointer[string]
	killed     atomic.Bool
}

// Action tells the connection loop what to do after a reply is written.
type Action uint8

const (
	Continue Action = iota
	// Close: flush pending replies, then close the connection (QUIT).
	Close
)
