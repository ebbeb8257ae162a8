package config

import "time"

// Config is every setting nebredis understands, named after its redis.conf
// directive. cmd/nebredis fills it from a config file and flags; CONFIG
// GET/SET read and change the runtime-settable ones through Params.
type Config struct {
	Port                   int           // port
	Bind                   []string      // bind
	Dir                    string        // dir
	AppendOnly             bool          // appendonly
	AppendFsync            string        // appendfsync: always, everysec, no
	RequirePass            string        // requirepass
	MaxMemory              int64         // maxmemory, bytes; 0 = none
	MaxMemoryPolicy        string        // maxmemory-policy
	MaxMemorySamples       int           // maxmemory-samples
	Databases              int           // databases
	MaxClients             int           // maxclients
	Timeout                time.Duration // timeout (seconds in redis.conf); 0 = never
	ProtoMaxBulkLen        int64         // proto-max-bulk-len
	ClientQueryBufferLimit int64         // client-query-buffer-limit
	LogLevel               string        // loglevel: debug, verbose, notice, warning, nothing
	LogFile                string        // logfile; "" = stdout
	SlowlogLogSlowerThan   int64         // slowlog-log-slower-than, microseconds
	SlowlogMaxLen          int           // slowlog-max-len
	Hz                     int           // hz
	TCPKeepAlive           int           // tcp-keepalive, seconds
}

// Default returns redis-server 7's defaults, except that bind is loopback
// only and dir is ./nebredis-data.
func Default() Config {
	return Config{
		Port:                   6379,
		Bind:                   []string{"127.0.0.1"},
		Dir:                    "./nebredis-data",
		AppendOnly:             false,
		AppendFsync:            "everysec",
		MaxMemoryPolicy:        "noeviction",
		MaxMemorySamples:       5,
		Databases:              16,
		MaxClients:             10000,
		ProtoMaxBulkLen:        512 << 20,
		ClientQueryBufferLimit: 1 << 30,
		LogLevel:               "notice",
		SlowlogLogSlowerThan:   10000,
		SlowlogMaxLen:          128,
		Hz:                     10,
		TCPKeepAlive:           300,
	}
}
