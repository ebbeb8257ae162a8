// Command nebredis is the server: a Redis 7 protocol drop-in backed by
// nebredis's log-structured memory engine.
//
//	nebredis [/path/to/nebredis.conf] [--directive value ...]
//
// Settings come from config.Params, the one table that also drives
// CONFIG GET/SET: the optional config file (redis.conf syntax) is read
// first, then every flag, named after its directive and taking the same
// value (--maxmemory 1gb), overrides it. The result is validated, then
// wired: engine → commands → resp, with SIGINT/SIGTERM and SHUTDOWN
// closing the listeners and connections before the engine.
//
// Without arguments nebredis serves 127.0.0.1:6379 with its data directory
// ./nebredis-data, created if missing.
package main
