package resp

import (
	"errors"
	"log/slog"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nebredis/nebredis/commands"
)

// Options are the connection limits, named after their redis.conf
// directives. Zero values pick the defaults listed.
type Options struct {
	// MaxClients is maxclients: 0 = unlimited. A connection over the limit
	// gets "-ERR max number of clients reached" and is closed.
	MaxClients int
	// Timeout is timeout: close a client idle this long; 0 = never.
	Timeout time.Duration
	// ProtoMaxBulkLen is proto-max-bulk-len, the longest bulk string a
	// request may carry. Default 512 MiB.
	ProtoMaxBulkLen int64
	// MaxMultibulk is the most elements one request may have. Default
	// math.MaxInt32, redis-server 7's limit (older Redis used 1024*1024).
	MaxMultibulk int
	// QueryBufferLimit is client-query-buffer-limit: a client whose
	// unprocessed request bytes pass it is closed. Default 1 GiB.
	QueryBufferLimit int64
	// OutputBufferLimit closes a client whose replies waiting to be written
	// pass it, or that is sent one reply bigger than it (Redis's "normal"
	// class has no limit; a bound keeps a client that never reads from
	// exhausting memory). Default 256 MiB.
	OutputBufferLimit int64
	// WriteTimeout closes a client that takes no queued reply bytes for
	// this long (it bounds each blocking write of at most 1 MiB). Replies
	// the socket takes at once never wait. Default 30s; negative = none.
	WriteTimeout time.Duration
	// Logger receives connection errors and contained panics; nil discards.
	Logger *slog.Logger
}

// Defaults applied by NewServer and Reconfigure.
const (
	DefaultProtoMaxBulkLen   = maxProtoBulk
	DefaultMaxMultibulk      = math.MaxInt32
	DefaultQueryBufferLimit  = 1 << 30
	DefaultOutputBufferLimit = 256 << 20
	DefaultWriteTimeout      = 30 * time.Second
)

func (o Options) withDefaults() Options {
	if o.ProtoMaxBulkLen <= 0 {
		o.ProtoMaxBulkLen = DefaultProtoMaxBulkLen
	}
	if o.MaxMultibulk <= 0 {
		o.MaxMultibulk = DefaultMaxMultibulk
	}
	if o.QueryBufferLimit <= 0 {
		o.QueryBufferLimit = DefaultQueryBufferLimit
	}
	if o.OutputBufferLimit <= 0 {
		o.OutputBufferLimit = DefaultOutputBufferLimit
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// maxClientsReply is what redis-server sends a connection over maxclients.
const maxClientsReply = "-ERR max number of clients reached\r\n"

// Server accepts connections and runs each in its own goroutine, feeding
// requests to a commands.Server.
type Server struct {
	h    *commands.Server
	opts atomic.Pointer[Options] // swapped whole by Reconfigure

	clients  atomic.Int64 // connections being served
	rejected atomic.Int64 // connections refused by maxclients

	mu        sync.Mutex // guards listeners, served, conns, closed
	listeners []net.Listener
	served    map[net.Listener]bool
	conns     map[*conn]struct{}
	closed    bool

	wg sync.WaitGroup // connection goroutines
}

// NewServer returns a Server that runs commands on h.
func NewServer(h *commands.Server, opts Options) *Server {
	s := &Server{h: h, served: make(map[net.Listener]bool), conns: make(map[*conn]struct{})}
	s.Reconfigure(opts)
	return s
}

// Reconfigure replaces the options (CONFIG SET maxclients, timeout,
// proto-max-bulk-len, client-query-buffer-limit). Each connection picks the
// new values up before its next read.
func (s *Server) Reconfigure(opts Options) {
	o := opts.withDefaults()
	s.opts.Store(&o)
}

// Options returns the options in effect, defaults filled in.
func (s *Server) Options() Options { return *s.opts.Load() }

func (s *Server) logger() *slog.Logger { return s.opts.Load().Logger }

// Listen binds the addresses (host:port) so that Addrs reports them; a
// later ListenAndServe() with no arguments serves them. On error nothing
// stays bound from this call.
func (s *Server) Listen(addrs ...string) error {
	var bound []net.Listener
	for _, a := range addrs {
		l, err := net.Listen("tcp", a)
		if err != nil {
			for _, b := range bound {
				b.Close()
			}
			return err
		}
		bound = append(bound, l)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		for _, b := range bound {
			b.Close()
		}
		return net.ErrClosed
	}
	s.listeners = append(s.listeners, bound...)
	return nil
}

// ListenAndServe binds addrs (see Listen) and serves every listener bound
// and not yet served, until Close. It returns nil after Close; if one
// listener fails it closes the whole Server and returns that error.
func (s *Server) ListenAndServe(addrs ...string) error {
	if err := s.Listen(addrs...); err != nil {
		return err
	}
	s.mu.Lock()
	var todo []net.Listener
	for _, l := range s.listeners {
		if !s.served[l] {
			todo = append(todo, l)
		}
	}
	s.mu.Unlock()
	if len(todo) == 0 {
		return errors.New("resp: ListenAndServe: no address to listen on")
	}
	errc := make(chan error, len(todo))
	for _, l := range todo {
		go func() { errc <- s.Serve(l) }()
	}
	var first error
	for range todo {
		if err := <-errc; err != nil && first == nil {
			first = err
			s.Close()
		}
	}
	return first
}

// Serve accepts connections on l until Close, then returns nil. Accept
// errors other than l being closed are logged and retried with a backoff
// (running out of file descriptors is not a reason to stop serving).
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return nil
	}
	if !s.registeredLocked(l) {
		s.listeners = append(s.listeners, l)
	}
	s.served[l] = true
	s.mu.Unlock()

	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.logger().Warn("accept failed; retrying", "err", err, "backoff", backoff)
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		s.accept(nc)
	}
}

func (s *Server) registeredLocked(l net.Listener) bool {
	for _, x := range s.listeners {
		if x == l {
			return true
		}
	}
	return false
}

// accept admits or refuses one connection. Admission is checked before
// any client state exists, like Redis's acceptCommonHandler: with
// maxclients N, N clients are served and the N+1th is refused.
func (s *Server) accept(nc net.Conn) {
	o := s.opts.Load()
	// Count first, then check, so that two listeners accepting at once
	// cannot both take the last place.
	if n := s.clients.Add(1); o.MaxClients > 0 && n > int64(o.MaxClients) {
		s.clients.Add(-1)
		s.rejected.Add(1)
		nc.SetWriteDeadline(time.Now().Add(time.Second))
		nc.Write([]byte(maxClientsReply))
		nc.Close()
		return
	}
	c := newConn(s, nc)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		s.clients.Add(-1)
		nc.Close()
		return
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go c.serve()
}

// forget is called by a connection goroutine as it ends.
func (s *Server) forget(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.clients.Add(-1)
}

// Close stops the listeners, closes every connection and waits for the
// connection goroutines to end. Replies not yet flushed are lost. It is
// safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	var first error
	if !s.closed {
		s.closed = true
		for _, l := range s.listeners {
			if err := l.Close(); err != nil && first == nil && !errors.Is(err, net.ErrClosed) {
				first = err
			}
		}
		for c := range s.conns {
			c.nc.Close()
		}
	}
	s.mu.Unlock()
	s.wg.Wait()
	return first
}

// Addrs returns the addresses of the bound listeners.
func (s *Server) Addrs() []net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]net.Addr, 0, len(s.listeners))
	for _, l := range s.listeners {
		out = append(out, l.Addr())
	}
	return out
}

// ClientCount is the number of connections being served.
func (s *Server) ClientCount() int { return int(s.clients.Load()) }

// RejectedConnections counts connections refused because of maxclients
// (INFO stats rejected_connections).
func (s *Server) RejectedConnections() int64 { return s.rejected.Load() }
