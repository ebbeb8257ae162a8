package commands

import (
	"errors"

	"github.com/nebredis/nebredis/config"
)

// RegisterConfig adds CONFIG GET/SET/RESETSTAT/REWRITE/HELP. Parameter
// names, printing, parsing and mutability live in the config package's
// parameter table; this file only turns them into replies and applies a
// change to the running server (see Server.SetConfig).
func RegisterConfig(t *Table) {
	const flags = FlagAdmin | FlagNoScript | FlagLoading | FlagStale
	t.Add(&Command{Name: "config", Arity: -2, Group: "server", Since: "2.0.0",
		Summary: "A container for server configuration commands", Complexity: "Depends on subcommand.",
		Sub: map[string]*Command{
			"get": {Arity: -3, Flags: flags, Group: "server", Since: "2.0.0",
				Summary:    "Get the values of configuration parameters",
				Complexity: "O(N) when N is the number of configuration parameters provided",
				History:    [][2]string{{"7.0.0", "Added the ability to pass multiple pattern parameters in one call"}},
				Args: []ArgDoc{{Name: "parameter", Type: "block", Multiple: true,
					Args: []ArgDoc{{Name: "parameter", Type: "string"}}}},
				Handler: configGet},
			"set": {Arity: -4, Flags: flags, Group: "server", Since: "2.0.0",
				Summary:    "Set configuration parameters to the given values",
				Complexity: "O(N) when N is the number of configuration parameters provided",
				Tips:       []string{"request_policy:all_nodes", "response_policy:all_succeeded"},
				History:    [][2]string{{"7.0.0", "Added the ability to set multiple parameters in one call."}},
				Args: []ArgDoc{{Name: "parameter_value", Type: "block", Multiple: true,
					Args: []ArgDoc{{Name: "parameter", Type: "string"}, {Name: "value", Type: "string"}}}},
				Redact:  redactSensitiveConfig,
				Handler: configSet},
			"resetstat": {Arity: 2, Flags: flags, Group: "server", Since: "2.0.0",
				Summary: "Reset the stats returned by INFO", Complexity: "O(1)",
				Handler: func(c *Ctx) {
					c.Srv.resetStats()
					c.W.WriteSimple("OK")
				}},
			"rewrite": {Arity: 2, Flags: flags, Group: "server", Since: "2.8.0",
				Summary: "Rewrite the configuration file with the in memory configuration", Complexity: "O(1)",
				Handler: func(c *Ctx) {
					if c.Srv.ConfigFile == "" {
						c.W.WriteError("ERR The server is running without a config file")
						return
					}
					c.W.WriteError("ERR Rewriting config file: CONFIG REWRITE is not supported by nebredis")
				}},
			"help": helpCommand("5.0.0", "server", configHelp),
		}})
}

var configHelp = []string{
	"CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"GET <pattern>",
	"    Return parameters matching the glob-like <pattern> and their values.",
	"SET <directive> <value>",
	"    Set the configuration <directive> to <value>.",
	"RESETSTAT",
	"    Reset statistics reported by the INFO command.",
	"REWRITE",
	"    Rewrite the configuration file.",
	"HELP",
	"    Prints this help.",
}

func configGet(c *Ctx) {
	patterns := make([]string, len(c.Args)-2)
	for i, a := range c.Args[2:] {
		patterns[i] = string(a)
	}
	cfg := c.Srv.Config()
	pairs := cfg.Get(patterns...)
	c.W.WriteMap(len(pairs))
	for _, kv := range pairs {
		c.W.WriteBulkString(kv[0])
		c.W.WriteBulkString(kv[1])
	}
}

func configSet(c *Ctx) {
	if len(c.Args)%2 != 0 {
		c.W.WriteError(ErrSyntax)
		return
	}
	pairs := make([][2]string, 0, (len(c.Args)-2)/2)
	for i := 2; i+1 < len(c.Args); i += 2 {
		pairs = append(pairs, [2]string{string(c.Args[i]), string(c.Args[i+1])})
	}
	if err := c.Srv.SetConfig(pairs); err != nil {
		c.W.WriteError(configSetError(err))
		return
	}
	c.W.WriteSimple("OK")
}

// configSetError is Redis's CONFIG SET error text for a config error.
func configSetError(err error) string {
	var pe *config.ParamError
	if !errors.As(err, &pe) {
		return "ERR CONFIG SET failed - " + err.Error()
	}
	if errors.Is(err, config.ErrUnknownParam) {
		return sanitizeError("ERR Unknown option or number of arguments for CONFIG SET - '" + pe.Name + "'")
	}
	return sanitizeError("ERR CONFIG SET failed (possibly related to argument '" + pe.Name + "') - " + pe.Reason)
}

// SetConfig is CONFIG SET: it changes every (name, value) pair or none,
// then applies the new configuration to the running server: maxmemory
// and its policy to the engine (evicting at once if the limit dropped),
// requirepass and the slowlog settings to the dispatcher, and finally
// ConfigChanged.
func (s *Server) SetConfig(pairs [][2]string) error {
	s.cfgMu.Lock()
	next := s.cfg
	if err := next.SetMany(pairs); err != nil {
		s.cfgMu.Unlock()
		return err
	}
	s.cfg = next
	s.cfgMu.Unlock()

	s.applyHotConfig(next)
	if s.Engine != nil {
		s.Engine.SetMaxMemory(next.MaxMemory, enginePolicy(next.MaxMemoryPolicy))
		_ = s.Engine.EnsureMemory() // evict now rather than on the next write
	}
	if s.ConfigChanged != nil {
		s.ConfigChanged(next)
	}
	return nil
}

// redactSensitiveConfig hides the values of sensitive parameters
// (requirepass) in the SLOWLOG.
func redactSensitiveConfig(args [][]byte) [][]byte {
	for i := 2; i+1 < len(args); i += 2 {
		if p, ok := config.Lookup(string(args[i])); ok && p.Sensitive {
			args[i+1] = redacted
		}
	}
	return args
}
