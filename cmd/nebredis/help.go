package main

import (
	"fmt"
	"strings"

	"github.com/nebredis/nebredis/config"
)

// helpText is --help, laid out like redis-server's, with every directive
// generated from the parameter table.
func helpText() string {
	var b strings.Builder
	b.WriteString(versionLine + `
A Redis-protocol server on a log-structured memory engine.

Usage: nebredis [/path/to/nebredis.conf] [options]
       nebredis - (read config from stdin)
       nebredis -v or --version
       nebredis -h or --help

Examples:
       nebredis (serve 127.0.0.1:6379, data in ./nebredis-data)
       echo 'maxmemory 128mb' | nebredis -
       nebredis /etc/nebredis.conf
       nebredis --port 7777
       nebredis --bind "127.0.0.1 ::1" --requirepass s3cret
       nebredis /etc/nebredis.conf --loglevel verbose --maxmemory 1gb

The config file uses redis.conf syntax, one directive per line. Every
directive is also a flag taking the same value (--maxmemory 1gb is the line
"maxmemory 1gb"); flags override the file. Multi-value directives take one
quoted flag value: --save "900 1 300 10". Sizes: 1000, 100k (x1000),
100kb (x1024), 512m, 512mb, 1g, 1gb.

Options:
`)
	for _, p := range config.Params() {
		runtime := "fixed at start-up"
		if p.Mutable && !p.Protected {
			runtime = "CONFIG SET at runtime"
		}
		syntax := p.Syntax
		if p.MultiArg {
			syntax = `"` + syntax + `"`
		}
		fmt.Fprintf(&b, "  --%s %s\n", p.Name, syntax)
		fmt.Fprintf(&b, "        %s\n", p.Usage)
		fmt.Fprintf(&b, "        (default: %s; %s)\n", shellQuote(p.DefaultText()), runtime)
	}
	return b.String()
}

// shellQuote shows a default as it would be typed: "" for empty, quoted
// when it has spaces.
func shellQuote(s string) string {
	if s == "" || strings.ContainsAny(s, " \t") {
		return fmt.Sprintf("%q", s)
	}
	return s
}
