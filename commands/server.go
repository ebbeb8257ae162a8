package commands

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nebredis/nebredis/config"
	"github.com/nebredis/nebredis/engine"
)

// Version is the Redis version nebredis reports (INFO redis_version, HELLO):
// clients gate features on it, and nebredis implements Redis 7.0's
// behaviour.
const Version = "7.0.15"

// NebredisVersion is nebredis's own version (INFO nebredis_version).
const NebredisVersion = "0.1.0"

// Server is the command layer: the table, the engine and server-wide state
// (clients, stats, slowlog, config). One Server serves every connection.
type Server struct {
	Engine *engine.Engine
	Table  *Table

	cfgMu sync.RWMutex // guards cfg
	cfg   config.Config

	// Copies of config values the dispatcher reads on every command.
	authRequired atomic.Bool  // requirepass is set
	slowerThan   atomic.Int64 // slowlog-log-slower-than, µs; < 0 disables
	protoMaxBulk atomic.Int64 // proto-max-bulk-len

	started   time.Time
	startedMs int64 // started as unix ms
	runID     string
	nextID    atomic.Int64
	lastSave  atomic.Int64 // unix seconds

	clientsMu sync.Mutex // guards clients
	clients   map[int64]*Session

	stats   serverStats
	slowlog slowlog
	mem     memSampler
	memPeak atomic.Int64 // highest used_memory INFO has seen

	infoOverrides map[string]func() []InfoField

	resetHooks []func(*Session)

	pubsub pubsubRegistry // Pub/Sub subscriptions (pubsub.go)

	tx transactions // MULTI/EXEC: the EXEC barrier and WATCH registry (multi.go)

	// ConfigFile is the path INFO reports as config_file; set by main.
	ConfigFile string

	// Shutdown is called by SHUTDOWN; set by the program that owns the
	// listener. nil means SHUTDOWN replies with an error. It should start
	// the shutdown and return: the SHUTDOWN caller's connection is closed
	// by the connection loop.
	Shutdown func()
	// ConfigChanged, when set, is called after CONFIG SET changed the
	// configuration, with the new one (persistence reacts to appendonly,
	// the listener to timeout...). It runs on the CONFIG SET caller's
	// goroutine.
	ConfigChanged func(cfg config.Config)
}

// New builds a Server with every command family registered.
func New(cfg config.Config, eng *engine.Engine) *Server {
	s := &Server{Engine: eng, Table: NewTable(), cfg: cfg, started: time.Now(), clients: make(map[int64]*Session)}
	s.startedMs = s.started.UnixMilli()
	s.runID = newRunID()
	s.lastSave.Store(s.started.Unix())
	s.slowlog.maxLen.Store(int64(cfg.SlowlogMaxLen))
	s.applyHotConfig(cfg)
	if eng != nil {
		eng.SetMaxMemory(cfg.MaxMemory, enginePolicy(cfg.MaxMemoryPolicy))
	}
	RegisterConnection(s.Table)
	RegisterClient(s.Table)
	RegisterCommandCmd(s.Table)
	RegisterServer(s.Table)
	RegisterConfig(s.Table)
	RegisterStrings(s.Table)
	RegisterKeyspace(s.Table)
	RegisterHashes(s.Table)
	RegisterSets(s.Table)
	RegisterLists(s.Table)
	RegisterZSets(s.Table)
	RegisterPubSub(s.Table)
	s.AddResetHook(s.pubsubReset)
	RegisterTransactions(s.Table)
	s.AddResetHook(s.discardTx)
	return s
}

// applyHotConfig copies the values the dispatcher reads into atomics.
func (s *Server) applyHotConfig(cfg config.Config) {
	s.authRequired.Store(cfg.RequirePass != "")
	s.slowerThan.Store(cfg.SlowlogLogSlowerThan)
	s.protoMaxBulk.Store(cfg.ProtoMaxBulkLen)
	s.slowlog.setMaxLen(cfg.SlowlogMaxLen)
	s.applyPubSubConfig(cfg)
}

// enginePolicy maps a maxmemory-policy name to the engine's policy. The
// engine keeps no access frequencies: the LFU policies evict by recency.
func enginePolicy(name string) engine.Policy {
	name = strings.Replace(name, "lfu", "lru", 1)
	p, ok := engine.ParsePolicy(name)
	if !ok {
		return engine.NoEviction
	}
	return p
}

// ProtoMaxBulkLen is proto-max-bulk-len, the largest string a command may
// build (APPEND, SETRANGE): cheaper than Config() on a hot path.
func (s *Server) ProtoMaxBulkLen() int64 { return s.protoMaxBulk.Load() }

// Config returns a copy of the current configuration.
func (s *Server) Config() config.Config {
	s.cfgMu.RLock()
	defer s.cfgMu.RUnlock()
	return s.cfg
}

// AddResetHook registers fn to run when a session executes RESET, so that
// families with per-connection state (MULTI, subscriptions) clear it. Call
// it while building the server, before it serves connections.
func (s *Server) AddResetHook(fn func(*Session)) { s.resetHooks = append(s.resetHooks, fn) }

// SetLastSave records the time of the last successful save (LASTSAVE,
// INFO rdb_last_save_time); persistence calls it.
func (s *Server) SetLastSave(unix int64) { s.lastSave.Store(unix) }

// NewSession registers a new client connection.
func (s *Server) NewSession(addr, localAddr string, kill func()) *Session {
	now := time.Now()
	sess := &Session{ID: s.nextID.Add(1), Addr: addr, LocalAddr: localAddr, Created: now, Proto: 2, Kill: kill}
	sess.Authenticated = !s.authRequired.Load()
	sess.lastActive.Store(now.UnixMilli())
	s.stats.connections.Add(1)
	s.clientsMu.Lock()
	s.clients[sess.ID] = sess
	s.clientsMu.Unlock()
	return sess
}

// CloseSession unregisters a connection that has ended.
func (s *Server) CloseSession(sess *Session) {
	s.pubsub.dropAll(sess)
	s.discardTx(sess)
	s.clientsMu.Lock()
	delete(s.clients, sess.ID)
	s.clientsMu.Unlock()
}

// ClientCount is the number of connected clients; the listener compares it
// with maxclients before accepting.
func (s *Server) ClientCount() int {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	return len(s.clients)
}

// sessions returns the connected sessions sorted by id.
func (s *Server) sessions() []*Session {
	s.clientsMu.Lock()
	out := make([]*Session, 0, len(s.clients))
	for _, sess := range s.clients {
		out = append(out, sess)
	}
	s.clientsMu.Unlock()
	sortSessions(out)
	return out
}
