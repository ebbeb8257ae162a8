// Package config holds nebredis's settings and the one parser that reads
// them, whichever way they arrive: a redis.conf-style file, a command-line
// flag, or CONFIG SET at runtime.
//
// Every setting is a row of the parameter table (Params): its redis.conf
// name and aliases, how CONFIG GET prints it, how a value is parsed and
// checked, and whether CONFIG SET may change it while the server runs.
// cmd/nebredis generates its flags from that table, CONFIG GET/SET in
// package commands go through Config.Get and Config.SetMany, and
// Config.Validate re-parses every printed value, so the rules live in one
// place.
//
// Values follow redis-server 7.0: sizes are read as Redis's memtoull reads
// them (1k = 1000, 1kb = 1024, m/mb, g/gb, an optional b, case-insensitive,
// "" = 0); integers as string2ll (no sign but '-', no leading zeros);
// booleans as yes/no; enumerations case-insensitively. Error reasons are
// Redis's texts ("argument must be a memory value"), so callers can build
// byte-exact replies:
//
//	ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value
//
// Config files use redis.conf syntax: one directive per line, arguments
// split as sdssplitargs splits them ("double quotes" with \n \xHH escapes,
// 'single quotes'), '#' comment lines, and include (with glob patterns).
//
// Concurrency: a Config is a plain value. Nothing here locks; the owner
// (commands.Server) guards its copy. Config methods never keep references
// to their arguments, and the slices in a Config (Bind, Save) are replaced,
// never modified in place, so a shallow copy is a snapshot.
package config
