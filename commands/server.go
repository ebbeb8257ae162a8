package commands

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
)

// Server is the command layer: the table, the engine and server-wide state
// (clients, stats, slowlog, config). One Server serves every connection.
type Server struct {
	Engine *engine.Engine
	Table  *Table

	cfgMu sync.RWMutex // guards cfg
	cfg   config.Config

	started time.Time
	nextID  atomic.Int64

	clientsMu sync.Mutex // guards clients
	clients   map[int64]*Session

	// Shutdown is called by SHUTDOWN; set by the program that owns the
	// listener. nil means SHUTDOWN replies with an error.
	Shutdown func()
}

// New builds a Server with every command family registered.
func New(cfg config.Config, eng *engine.Engine) *Server {
	s := &Server{Engine: eng, Table: NewTable(), cfg: cfg, started: time.Now(), clients: make(map[int64]*Session)}
	RegisterConnection(s.Table)
	return s
}

// Config returns a copy of the current configuration.
func (s *Server) Config() config.Config {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	return s.cfg
}

// NewSession registers a new client connection.
func (s *Server) NewSession(addr, localAddr string, kill func()) *Session {
	sess := &Session{ID: s.nextID.Add(1), Addr: addr, LocalAddr: localAddr, Created: time.Now(), Proto: 2, Kill: kill}
	sess.Authenticated = s.Config().RequirePass == ""
	sess.lastActive.Store(time.Now().UnixMilli())
	s.clientsMu.Lock()
	s.clients[sess.ID] = sess
	s.clientsMu.Unlock()
	return sess
}

// CloseSession unregisters a connection that has ended.
func (s *Server) CloseSession(sess *Session) {
	s.clientsMu.Lock()
	delete(s.clients, sess.ID)
	s.clientsMu.Unlock()
}

// Exec runs one command (args[0] is its name) and writes its reply to w.
func (s *Server) Exec(sess *Session, args [][]byte, w Writer) Action {
	c := &Ctx{Srv: s, Sess: sess, Args: args, W: w}
	cmd := s.Table.Lookup(args[0])
	if cmd == nil {
		w.WriteError("ERR unknown command")
		return Continue
	}
	cmd.Handler(c)
	return c.Action
}
