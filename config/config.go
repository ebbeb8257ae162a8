package config

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"
)

// Config is every setting nebredis understands, named after its redis.conf
// directive. cmd/nebredis fills it from a config file and flags; CONFIG
// GET/SET read and change the runtime-settable ones through Params.
type Config struct {
	Port             int         // port; 0 = an ephemeral port chosen by the OS
	Bind             []string    // bind; empty = every interface
	ProtectedMode    bool        // protected-mode
	Dir              string      // dir
	Daemonize        bool        // daemonize: only "no" is supported
	AppendOnly       bool        // appendonly
	AppendFsync      string      // appendfsync: always, everysec, no
	Save             []SavePoint // save; accepted and reported, no snapshots yet
	RequirePass      string      // requirepass
	MaxMemory        int64       // maxmemory, bytes; 0 = none
	MaxMemoryPolicy  string      // maxmemory-policy
	MaxMemorySamples int         // maxmemory-samples
	// MaxMemoryClients is maxmemory-clients as Redis stores it: bytes, or
	// a percentage of maxmemory as its negative (-10 is "10%"). Stored and
	// reported; nebredis does not limit client buffers with it.
	MaxMemoryClients int64
	// MaxMemoryEvictionTenacity is maxmemory-eviction-tenacity, 0..100.
	// Stored and reported; the engine's eviction does not use it.
	MaxMemoryEvictionTenacity int
	Databases                 int           // databases
	MaxClients                int           // maxclients
	Timeout                   time.Duration // timeout (seconds in redis.conf); 0 = never
	TCPKeepAlive              int           // tcp-keepalive, seconds
	ProtoMaxBulkLen           int64         // proto-max-bulk-len
	ClientQueryBufferLimit    int64         // client-query-buffer-limit
	LogLevel                  string        // loglevel: debug, verbose, notice, warning
	LogFile                   string        // logfile; "" = stdout
	SlowlogLogSlowerThan      int64         // slowlog-log-slower-than, microseconds; -1 disables
	SlowlogMaxLen             int           // slowlog-max-len
	Hz                        int           // hz, kept between 1 and 500 as Redis does
	// Thresholds of Redis's compact collection encodings. nebredis stores
	// every collection the same way; they only decide what OBJECT ENCODING
	// reports, so tools that read it see what Redis would say.
	HashMaxListpackEntries int // hash-max-listpack-entries
	HashMaxListpackValue   int // hash-max-listpack-value
	SetMaxIntsetEntries    int // set-max-intset-entries
	ZSetMaxListpackEntries int // zset-max-listpack-entries
	ZSetMaxListpackValue   int // zset-max-listpack-value

	// ClientOutputBufferLimits is client-output-buffer-limit, indexed by
	// ClassNormal, ClassReplica, ClassPubSub (pubsub.go).
	ClientOutputBufferLimits [3]OutputBufferLimit
	NotifyKeyspaceEvents     KeyspaceEvents // notify-keyspace-events
}

// SavePoint is one "save <seconds> <changes>" rule.
type SavePoint struct {
	Seconds int64
	Changes int64
}

// MaxDatabases is the largest databases value: the engine stores the
// database number in one byte of each log entry (engine.MaxDatabases).
const MaxDatabases = 256

// maxMemoryPolicies are the maxmemory-policy values, in Redis's order. The
// engine keeps no access frequencies: commands/ runs the LFU policies as
// their LRU counterparts.
var maxMemoryPolicies = []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
	"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}

// MaxMemoryPolicies returns the accepted maxmemory-policy names.
func MaxMemoryPolicies() []string { return append([]string(nil), maxMemoryPolicies...) }

// Default returns redis-server 7's defaults, except that bind is loopback
// only, save is empty (there are no snapshots) and dir is ./nebredis-data.
func Default() Config {
	return Config{
		Port:                      6379,
		Bind:                      []string{"127.0.0.1"},
		ProtectedMode:             true,
		Dir:                       "./nebredis-data",
		AppendOnly:                false,
		AppendFsync:               "everysec",
		MaxMemoryPolicy:           "noeviction",
		MaxMemorySamples:          5,
		MaxMemoryEvictionTenacity: 10,
		Databases:                 16,
		MaxClients:                10000,
		TCPKeepAlive:              300,
		ProtoMaxBulkLen:           512 << 20,
		ClientQueryBufferLimit:    1 << 30,
		LogLevel:                  "notice",
		SlowlogLogSlowerThan:      10000,
		SlowlogMaxLen:             128,
		Hz:                        10,
		HashMaxListpackEntries:    512,
		HashMaxListpackValue:      64,
		SetMaxIntsetEntries:       512,
		ZSetMaxListpackEntries:    128,
		ZSetMaxListpackValue:      64,
		ClientOutputBufferLimits:  defaultOutputBufferLimits,
	}
}

// Validate checks every setting with the same parser the config file and
// CONFIG SET use: each value is printed as CONFIG GET prints it and parsed
// back. The error names the directive, e.g.
//
//	maxmemory-policy "lru": argument(s) must be one of the following: ...
func (c *Config) Validate() error {
	var errs []error
	for i := range params {
		p := &params[i]
		v := p.get(c)
		scratch := *c
		if err := p.Apply(&scratch, p.Split(v)...); err != nil {
			var pe *ParamError
			if errors.As(err, &pe) {
				errs = append(errs, fmt.Errorf("%s %q: %s", p.Name, v, pe.Reason))
			} else {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// ListenAddr is one address to listen on.
type ListenAddr struct {
	Addr string // host:port for net.Listen
	// Optional addresses came with Redis's "-" prefix: if they cannot be
	// bound (no IPv6, say) the server starts without them.
	Optional bool
}

// ListenAddrs turns bind and port into addresses for net.Listen. "*" is
// every IPv4 interface, "::*" every IPv6 one; a leading "-" makes the
// address optional. An empty bind listens on every interface.
func (c *Config) ListenAddrs() []ListenAddr {
	port := strconv.Itoa(c.Port)
	if len(c.Bind) == 0 {
		return []ListenAddr{{Addr: net.JoinHostPort("", port)}}
	}
	out := make([]ListenAddr, 0, len(c.Bind))
	for _, b := range c.Bind {
		host, optional := b, false
		if len(host) > 1 && host[0] == '-' {
			host, optional = host[1:], true
		}
		switch host {
		case "*":
			host = "0.0.0.0"
		case "::*":
			host = "::"
		}
		out = append(out, ListenAddr{Addr: net.JoinHostPort(host, port), Optional: optional})
	}
	return out
}
