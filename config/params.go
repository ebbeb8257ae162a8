package config

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nebredis/nebredis/internal/glob"
)

// Errors that Directive, Set and SetMany wrap in a *ParamError. Their texts
// (and ParamError.Reason) are the reasons redis-server 7 gives.
var (
	// ErrUnknownParam: no parameter has that name.
	ErrUnknownParam = errors.New("Bad directive or wrong number of arguments")
	// ErrWrongArgs: a config line gave a one-argument directive several.
	ErrWrongArgs = errors.New("wrong number of arguments")
	// ErrImmutable: CONFIG SET of a parameter fixed at start-up.
	ErrImmutable = errors.New("can't set immutable config")
	// ErrProtected: CONFIG SET of a parameter Redis protects (dir).
	ErrProtected = errors.New("can't set protected config")
	// ErrDuplicateParam: one CONFIG SET names a parameter twice.
	ErrDuplicateParam = errors.New("duplicate parameter")
	// ErrInvalidValue: the value does not parse or is out of range.
	ErrInvalidValue = errors.New("invalid value")
)

// ParamError is a failure to set one parameter. Name is the parameter as
// the caller spelled it; Reason is Redis's explanation. commands/ builds
// the CONFIG SET reply from them:
//
//	ErrUnknownParam: "ERR Unknown option or number of arguments for CONFIG SET - '<Name>'"
//	otherwise:       "ERR CONFIG SET failed (possibly related to argument '<Name>') - <Reason>"
type ParamError struct {
	Name   string
	Reason string
	Err    error // one of the sentinels above
}

func (e *ParamError) Error() string { return e.Name + ": " + e.Reason }
func (e *ParamError) Unwrap() error { return e.Err }

// Param is one row of the parameter table: the single place that knows a
// setting's name, printing, parsing and mutability.
type Param struct {
	Name    string   // the redis.conf directive, lower case
	Aliases []string // other names CONFIG GET/SET and config files accept
	// Mutable parameters may change at runtime with CONFIG SET.
	Mutable bool
	// Protected parameters are refused by CONFIG SET with Redis's
	// "can't set protected config" (Redis's enable-protected-configs is no).
	Protected bool
	// Sensitive values (passwords) must not appear in SLOWLOG or MONITOR.
	Sensitive bool
	// MultiArg parameters take several arguments on a config line (bind,
	// save); a CONFIG SET or flag value is split on spaces into them.
	MultiArg bool
	// Accumulates: repeated lines in config files add up instead of
	// replacing each other (save), as in Redis.
	Accumulates bool
	// Syntax names the value for --help and the README: "<bytes>", "yes|no"...
	Syntax string
	// Usage is the redis.conf meaning, one sentence, for --help and README.
	Usage string

	get func(c *Config) string
	set func(c *Config, args []string) error // the error text is the reason
	// show, when set, prints the value as configured rather than as
	// CONFIG GET resolves it (dir relative to no particular process).
	show func(c *Config) string
}

// DefaultText is the default as documentation shows it: the CONFIG GET
// form of Default(), except that dir stays relative ("./nebredis-data").
func (p *Param) DefaultText() string {
	def := Default()
	if p.show != nil {
		return p.show(&def)
	}
	return p.get(&def)
}

// Value prints the parameter as CONFIG GET does.
func (p *Param) Value(c *Config) string { return p.get(c) }

// Split turns a CONFIG SET or flag value into a config line's arguments.
func (p *Param) Split(value string) []string {
	if p.MultiArg {
		return strings.Fields(value)
	}
	return []string{value}
}

// Apply sets the parameter from a config line's arguments, at start-up:
// mutability is not checked. On error c is unchanged.
func (p *Param) Apply(c *Config, args ...string) error {
	if !p.MultiArg && len(args) != 1 {
		return &ParamError{Name: p.Name, Reason: ErrWrongArgs.Error(), Err: ErrWrongArgs}
	}
	scratch := *c
	if err := p.set(&scratch, args); err != nil {
		return &ParamError{Name: p.Name, Reason: err.Error(), Err: ErrInvalidValue}
	}
	*c = scratch
	return nil
}

// names returns the name followed by the aliases.
func (p *Param) names() []string { return append([]string{p.Name}, p.Aliases...) }

// Params returns the parameter table in a stable order. The rows are
// copies: changing them changes nothing.
func Params() []Param { return append([]Param(nil), params...) }

// Lookup finds a parameter by name or alias, case-insensitively.
func Lookup(name string) (*Param, bool) {
	for i := range params {
		p := &params[i]
		for _, n := range p.names() {
			if strings.EqualFold(n, name) {
				cp := *p
				return &cp, true
			}
		}
	}
	return nil, false
}

// Directive applies one config-file line (name, then its arguments) at
// start-up, where immutable parameters may be set too.
func (c *Config) Directive(name string, args ...string) error {
	p, ok := Lookup(name)
	if !ok {
		return &ParamError{Name: name, Reason: ErrUnknownParam.Error(), Err: ErrUnknownParam}
	}
	return p.Apply(c, args...)
}

// Get answers CONFIG GET: the (name, value) pairs of every parameter that
// matches one of the patterns. A pattern without * ? [ is a name or alias
// looked up exactly (case-insensitively) and reported as spelled; a glob
// matches names and aliases case-insensitively. A parameter is reported
// once even when several patterns match it. Order: patterns in order, and
// for a glob, table order.
func (c *Config) Get(patterns ...string) [][2]string {
	var out [][2]string
	seen := make(map[string]bool)
	for _, pat := range patterns {
		if !hasGlob(pat) {
			key := strings.ToLower(pat)
			if seen[key] {
				continue
			}
			if p, ok := Lookup(pat); ok {
				seen[key] = true
				out = append(out, [2]string{pat, p.get(c)})
			}
			continue
		}
		for i := range params {
			p := &params[i]
			if seen[p.Name] {
				continue
			}
			for _, n := range p.names() {
				if !seen[n] && glob.MatchFold(pat, n) {
					seen[n] = true
					out = append(out, [2]string{n, p.get(c)})
				}
			}
		}
	}
	return out
}

// Set is CONFIG SET of one parameter; see SetMany.
func (c *Config) Set(name, value string) error {
	return c.SetMany([][2]string{{name, value}})
}

// SetMany is CONFIG SET: it changes every (name, value) pair or, on any
// error, none. As in Redis, names are checked first (unknown, immutable,
// protected, duplicate; the first problem wins), then values are parsed in
// order. The error is a *ParamError.
func (c *Config) SetMany(pairs [][2]string) error {
	rows := make([]*Param, len(pairs))
	for i, kv := range pairs {
		p, ok := Lookup(kv[0])
		if !ok {
			return &ParamError{Name: kv[0], Reason: ErrUnknownParam.Error(), Err: ErrUnknownParam}
		}
		var bad error
		switch {
		case !p.Mutable:
			bad = ErrImmutable
		case p.Protected:
			bad = ErrProtected
		}
		for j := 0; j < i && bad == nil; j++ {
			if rows[j].Name == p.Name {
				bad = ErrDuplicateParam
			}
		}
		if bad != nil {
			return &ParamError{Name: kv[0], Reason: bad.Error(), Err: bad}
		}
		rows[i] = p
	}
	scratch := *c
	for i, kv := range pairs {
		if err := rows[i].Apply(&scratch, rows[i].Split(kv[1])...); err != nil {
			var pe *ParamError
			if errors.As(err, &pe) {
				pe.Name = kv[0]
			}
			return err
		}
	}
	*c = scratch
	return nil
}

// params is the table. It is never written after initialisation.
var params = []Param{
	{Name: "port", Syntax: "<port>", Usage: "TCP port to accept connections on (0: an ephemeral port).",
		get: intGet(func(c *Config) *int { return &c.Port }),
		set: intSet(0, 65535, func(c *Config) *int { return &c.Port })},
	{Name: "bind", Syntax: "<addr ...>", MultiArg: true,
		Usage: `Interfaces to listen on, space separated IPv4/IPv6 addresses; "*" is every IPv4 interface, "::*" every IPv6 one.`,
		get:   func(c *Config) string { return strings.Join(c.Bind, " ") },
		set:   setBind},
	{Name: "protected-mode", Syntax: "yes|no", Mutable: true,
		Usage: "Refuse clients from other hosts while no password is set and bind is left open.",
		get:   boolGet(func(c *Config) *bool { return &c.ProtectedMode }),
		set:   boolSet(func(c *Config) *bool { return &c.ProtectedMode })},
	{Name: "timeout", Syntax: "<seconds>", Mutable: true, Usage: "Close a client after it has been idle this many seconds (0: never).",
		get: func(c *Config) string { return strconv.FormatInt(int64(c.Timeout/time.Second), 10) },
		set: func(c *Config, a []string) error {
			n, err := parseRange(a[0], 0, math.MaxInt32)
			c.Timeout = time.Duration(n) * time.Second
			return err
		}},
	{Name: "tcp-keepalive", Syntax: "<seconds>", Mutable: true, Usage: "Send TCP keepalives to idle clients every this many seconds (0: off).",
		get: intGet(func(c *Config) *int { return &c.TCPKeepAlive }),
		set: intSet(0, math.MaxInt32, func(c *Config) *int { return &c.TCPKeepAlive })},
	{Name: "daemonize", Syntax: "no", Usage: "Only no: nebredis stays in the foreground; run it under a service manager.",
		get: boolGet(func(c *Config) *bool { return &c.Daemonize }),
		set: func(c *Config, a []string) error {
			b, err := parseYesNo(a[0])
			if err != nil {
				return err
			}
			if b {
				return errors.New("daemonize yes is not supported: nebredis runs in the foreground (use a service manager)")
			}
			c.Daemonize = false
			return nil
		}},
	{Name: "loglevel", Syntax: "<level>", Mutable: true, Usage: "Log verbosity: debug, verbose, notice or warning.",
		get: func(c *Config) string { return c.LogLevel },
		set: enumSet([]string{"debug", "verbose", "notice", "warning"}, func(c *Config) *string { return &c.LogLevel })},
	{Name: "logfile", Syntax: "<file>", Usage: `Log file name; "" logs to standard output.`,
		get: func(c *Config) string { return c.LogFile },
		set: func(c *Config, a []string) error { c.LogFile = a[0]; return nil }},
	{Name: "databases", Syntax: "<n>", Usage: "Number of logical databases (SELECT 0 to databases-1).",
		get: intGet(func(c *Config) *int { return &c.Databases }),
		set: intSet(1, MaxDatabases, func(c *Config) *int { return &c.Databases })},
	{Name: "save", Syntax: "<seconds> <changes> ...", MultiArg: true, Accumulates: true, Mutable: true,
		Usage: `Snapshot rules "<seconds> <changes> ..."; accepted and reported, but nebredis takes no snapshots yet.`,
		get:   saveGet, set: setSave},
	{Name: "dir", Syntax: "<dir>", Protected: true, Mutable: true, Usage: "Data directory; created if missing.",
		get: func(c *Config) string {
			if abs, err := filepath.Abs(c.Dir); err == nil && c.Dir != "" {
				return abs
			}
			return c.Dir
		},
		show: func(c *Config) string { return c.Dir },
		set: func(c *Config, a []string) error {
			if a[0] == "" {
				return errors.New("the data directory must not be empty")
			}
			c.Dir = a[0]
			return nil
		}},
	{Name: "requirepass", Syntax: "<password>", Mutable: true, Sensitive: true, Usage: `Password clients must send with AUTH ("": none).`,
		get: func(c *Config) string { return c.RequirePass },
		set: func(c *Config, a []string) error { c.RequirePass = a[0]; return nil }},
	{Name: "maxclients", Syntax: "<n>", Mutable: true, Usage: "Maximum number of connected clients.",
		get: intGet(func(c *Config) *int { return &c.MaxClients }),
		set: intSet(1, math.MaxUint32, func(c *Config) *int { return &c.MaxClients })},
	{Name: "maxmemory", Syntax: "<bytes>", Mutable: true, Usage: "Memory limit for data, e.g. 1gb (0: none); beyond it maxmemory-policy applies.",
		get: func(c *Config) string { return strconv.FormatInt(c.MaxMemory, 10) },
		set: memorySet(0, func(c *Config) *int64 { return &c.MaxMemory })},
	{Name: "maxmemory-policy", Syntax: "<policy>", Mutable: true,
		Usage: "What to do at maxmemory: " + strings.Join(maxMemoryPolicies, ", ") + ".",
		get:   func(c *Config) string { return c.MaxMemoryPolicy },
		set:   enumSet(maxMemoryPolicies, func(c *Config) *string { return &c.MaxMemoryPolicy })},
	{Name: "maxmemory-samples", Syntax: "<n>", Mutable: true, Usage: "Keys sampled per eviction (more: closer to true LRU, slower).",
		get: intGet(func(c *Config) *int { return &c.MaxMemorySamples }),
		set: intSet(1, math.MaxInt32, func(c *Config) *int { return &c.MaxMemorySamples })},
	{Name: "maxmemory-clients", Syntax: "<bytes|percent%>", Mutable: true,
		Usage: "Memory limit for all clients' buffers together, in bytes or a percentage of maxmemory such as 10% (0: none); accepted and reported, nebredis does not act on it.",
		get:   maxMemoryClientsGet, set: setMaxMemoryClients},
	{Name: "maxmemory-eviction-tenacity", Syntax: "<0-100>", Mutable: true,
		Usage: "How long one eviction pass may run, from 0 to 100; accepted and reported, nebredis does not act on it.",
		get:   intGet(func(c *Config) *int { return &c.MaxMemoryEvictionTenacity }),
		set:   intSet(0, 100, func(c *Config) *int { return &c.MaxMemoryEvictionTenacity })},
	{Name: "appendonly", Syntax: "yes|no", Mutable: true, Usage: "Append-only persistence; accepted and reported, not implemented yet.",
		get: boolGet(func(c *Config) *bool { return &c.AppendOnly }),
		set: boolSet(func(c *Config) *bool { return &c.AppendOnly })},
	{Name: "appendfsync", Syntax: "<when>", Mutable: true, Usage: "When the append-only log is fsynced: always, everysec or no.",
		get: func(c *Config) string { return c.AppendFsync },
		set: enumSet([]string{"everysec", "always", "no"}, func(c *Config) *string { return &c.AppendFsync })},
	{Name: "slowlog-log-slower-than", Syntax: "<microseconds>", Mutable: true, Usage: "Log commands slower than this many microseconds in SLOWLOG (-1: off, 0: all).",
		get: func(c *Config) string { return strconv.FormatInt(c.SlowlogLogSlowerThan, 10) },
		set: func(c *Config, a []string) error {
			n, err := parseRange(a[0], -1, math.MaxInt64)
			c.SlowlogLogSlowerThan = n
			return err
		}},
	{Name: "slowlog-max-len", Syntax: "<n>", Mutable: true, Usage: "Entries SLOWLOG keeps.",
		get: intGet(func(c *Config) *int { return &c.SlowlogMaxLen }),
		set: intSet(0, math.MaxInt64, func(c *Config) *int { return &c.SlowlogMaxLen })},
	{Name: "hz", Syntax: "<n>", Mutable: true, Usage: "Background task frequency per second; kept between 1 and 500.",
		get: intGet(func(c *Config) *int { return &c.Hz }),
		set: func(c *Config, a []string) error {
			n, err := parseRange(a[0], 0, math.MaxInt32)
			c.Hz = int(min(max(n, 1), 500))
			return err
		}},
	{Name: "hash-max-listpack-entries", Syntax: "<n>", Mutable: true, Usage: "Hashes up to this many fields report OBJECT ENCODING listpack.",
		get: intGet(func(c *Config) *int { return &c.HashMaxListpackEntries }),
		set: intSet(0, math.MaxInt64, func(c *Config) *int { return &c.HashMaxListpackEntries })},
	{Name: "hash-max-listpack-value", Syntax: "<bytes>", Mutable: true, Usage: "...and with no field or value longer than this.",
		get: intGet(func(c *Config) *int { return &c.HashMaxListpackValue }),
		set: intSet(0, math.MaxInt64, func(c *Config) *int { return &c.HashMaxListpackValue })},
	{Name: "set-max-intset-entries", Syntax: "<n>", Mutable: true, Usage: "Sets of up to this many integers report OBJECT ENCODING intset.",
		get: intGet(func(c *Config) *int { return &c.SetMaxIntsetEntries }),
		set: intSet(0, math.MaxInt64, func(c *Config) *int { return &c.SetMaxIntsetEntries })},
	{Name: "zset-max-listpack-entries", Syntax: "<n>", Mutable: true, Usage: "Sorted sets up to this many members report OBJECT ENCODING listpack.",
		get: intGet(func(c *Config) *int { return &c.ZSetMaxListpackEntries }),
		set: intSet(0, math.MaxInt64, func(c *Config) *int { return &c.ZSetMaxListpackEntries })},
	{Name: "zset-max-listpack-value", Syntax: "<bytes>", Mutable: true, Usage: "...and with no member longer than this.",
		get: intGet(func(c *Config) *int { return &c.ZSetMaxListpackValue }),
		set: intSet(0, math.MaxInt64, func(c *Config) *int { return &c.ZSetMaxListpackValue })},
	{Name: "proto-max-bulk-len", Syntax: "<bytes>", Mutable: true, Usage: "Largest bulk string a client may send, e.g. 512mb.",
		get: func(c *Config) string { return strconv.FormatInt(c.ProtoMaxBulkLen, 10) },
		set: memorySet(1<<20, func(c *Config) *int64 { return &c.ProtoMaxBulkLen })},
	{Name: "client-query-buffer-limit", Syntax: "<bytes>", Mutable: true, Usage: "Largest unparsed input buffered for one client, e.g. 1gb.",
		get: func(c *Config) string { return strconv.FormatInt(c.ClientQueryBufferLimit, 10) },
		set: memorySet(1<<20, func(c *Config) *int64 { return &c.ClientQueryBufferLimit })},
	{Name: "client-output-buffer-limit", Syntax: "<class> <hard> <soft> <seconds> ...", MultiArg: true, Mutable: true,
		Usage: "Disconnect a client whose pending output reaches <hard> bytes, or stays over <soft> for <seconds>; classes normal, replica, pubsub (nebredis enforces pubsub).",
		get:   outputBufferLimitsGet, set: setOutputBufferLimits},
	{Name: "notify-keyspace-events", Syntax: "<classes>", Mutable: true,
		Usage: `Keyspace notifications to publish, Redis's letters K E g $ l s h z x e t m d n A ("": none).`,
		get:   func(c *Config) string { return c.NotifyKeyspaceEvents.String() },
		set:   setKeyspaceEvents},
}

// parseRange parses an integer and checks it against Redis's bounds.
func parseRange(s string, lo, hi int64) (int64, error) {
	n, err := parseInt(s)
	if err != nil {
		return 0, err
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("argument must be between %d and %d inclusive", lo, hi)
	}
	return n, nil
}

func intGet(field func(*Config) *int) func(*Config) string {
	return func(c *Config) string { return strconv.Itoa(*field(c)) }
}

func intSet(lo, hi int64, field func(*Config) *int) func(*Config, []string) error {
	return func(c *Config, a []string) error {
		n, err := parseRange(a[0], lo, hi)
		if err == nil {
			*field(c) = int(n)
		}
		return err
	}
}

func boolGet(field func(*Config) *bool) func(*Config) string {
	return func(c *Config) string { return yesNo(*field(c)) }
}

func boolSet(field func(*Config) *bool) func(*Config, []string) error {
	return func(c *Config, a []string) error {
		b, err := parseYesNo(a[0])
		if err == nil {
			*field(c) = b
		}
		return err
	}
}

// enumSet accepts one of names, case-insensitively, and stores it lower case.
func enumSet(names []string, field func(*Config) *string) func(*Config, []string) error {
	return func(c *Config, a []string) error {
		for _, n := range names {
			if strings.EqualFold(n, a[0]) {
				*field(c) = n
				return nil
			}
		}
		return errors.New("argument(s) must be one of the following: " + strings.Join(names, ", "))
	}
}

// memorySet parses a size; the upper bound is int64's, where Redis's is
// unsigned for maxmemory.
func memorySet(lo int64, field func(*Config) *int64) func(*Config, []string) error {
	return func(c *Config, a []string) error {
		v, err := ParseMemory(a[0])
		if err != nil {
			return err
		}
		if v < uint64(lo) || v > math.MaxInt64 {
			return fmt.Errorf("argument must be between %d and %d inclusive", lo, int64(math.MaxInt64))
		}
		*field(c) = int64(v)
		return nil
	}
}

// maxClientsPercent bounds maxmemory-clients' percentage form, as Redis.
const maxClientsPercent = 100

// errNotMemoryOrPercent is Redis's reason for a maxmemory-clients value
// that is neither a size nor a percentage.
var errNotMemoryOrPercent = errors.New("argument must be a memory or percent value")

func maxMemoryClientsGet(c *Config) string {
	if c.MaxMemoryClients < 0 {
		return strconv.FormatInt(-c.MaxMemoryClients, 10) + "%"
	}
	return strconv.FormatInt(c.MaxMemoryClients, 10)
}

// setMaxMemoryClients parses a size or "<n>%" as Redis 7 does. Redis
// reads the size as unsigned and keeps it signed, percentages negative, so
// sizes beyond int64 wrap: 18446744073709551615 becomes "1%", and a value
// that lands below -100 is refused as a percentage. That is reproduced.
func setMaxMemoryClients(c *Config, a []string) error {
	var v int64
	if size, err := ParseMemory(a[0]); err == nil {
		v = int64(size)
	} else {
		s := a[0]
		if len(s) < 2 || s[len(s)-1] != '%' {
			return errNotMemoryOrPercent
		}
		pct, err := parseInt(s[:len(s)-1])
		if err != nil || pct < 0 {
			return errNotMemoryOrPercent
		}
		v = -pct
	}
	if v < -maxClientsPercent {
		return fmt.Errorf("percentage argument must be less or equal to %d", maxClientsPercent)
	}
	c.MaxMemoryClients = v
	return nil
}

// maxBindAddrs is Redis's CONFIG_BINDADDR_MAX.
const maxBindAddrs = 16

func setBind(c *Config, a []string) error {
	if len(a) == 1 && a[0] == "" {
		a = nil
	}
	if len(a) > maxBindAddrs {
		return errors.New("Too many bind addresses specified.")
	}
	for _, addr := range a {
		host := strings.TrimPrefix(addr, "-")
		if host == "" || strings.ContainsAny(host, " \t/[]") {
			return fmt.Errorf("invalid bind address %q", addr)
		}
	}
	c.Bind = append([]string(nil), a...)
	return nil
}

func saveGet(c *Config) string {
	var b strings.Builder
	for i, s := range c.Save {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d %d", s.Seconds, s.Changes)
	}
	return b.String()
}

// setSave follows Redis's setConfigSaveOption: pairs of seconds (>= 1) and
// changes (>= 0); a single "" (or nothing) means no rules.
func setSave(c *Config, a []string) error {
	if len(a) == 1 && a[0] == "" {
		a = nil
	}
	if len(a)%2 != 0 {
		return errors.New("Invalid save parameters")
	}
	rules := make([]SavePoint, 0, len(a)/2)
	for i := 0; i < len(a); i += 2 {
		secs, err1 := strconv.ParseInt(a[i], 10, 64)
		changes, err2 := strconv.ParseInt(a[i+1], 10, 64)
		if err1 != nil || err2 != nil || secs < 1 || changes < 0 {
			return errors.New("Invalid save parameters")
		}
		rules = append(rules, SavePoint{Seconds: secs, Changes: changes})
	}
	c.Save = rules
	return nil
}
