package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// FileError is a config file line nebredis cannot use. Its fields match
// what redis-server prints for a fatal config file error:
//
//	Reading the configuration file, at line 2
//	>>> 'maxmemory abc'
//	argument must be a memory value
type FileError struct {
	File   string
	Line   int    // 1-based
	Text   string // the line, trimmed
	Reason string // Redis's reason
	Err    error  // *ParamError, ErrUnbalancedQuotes, or an I/O error
}

func (e *FileError) Error() string {
	return fmt.Sprintf("%s:%d: '%s': %s", e.File, e.Line, e.Text, e.Reason)
}

func (e *FileError) Unwrap() error { return e.Err }

// maxIncludeDepth stops include loops.
const maxIncludeDepth = 16

// LoadFile applies the directives of a redis.conf-style file on top of c.
// On error, c may hold the directives before the failing line.
func (c *Config) LoadFile(path string) error {
	l := loader{cfg: c, seen: make(map[string]bool)}
	return l.file(path, 0)
}

// LoadReader applies directives read from r; name is used in errors and
// relative includes are relative to the working directory, as in Redis.
func (c *Config) LoadReader(r io.Reader, name string) error {
	l := loader{cfg: c, seen: make(map[string]bool)}
	return l.read(r, name, 0)
}

// loader carries what spans the lines of one load: which accumulating
// parameters (save) have been seen, so the first replaces the default and
// later ones add to it.
type loader struct {
	cfg  *Config
	seen map[string]bool
}

func (l *loader) file(path string, depth int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	return l.read(f, path, depth)
}

func (l *loader) read(r io.Reader, name string, depth int) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		text := strings.Trim(sc.Text(), " \t\r\n")
		if text == "" || text[0] == '#' {
			continue
		}
		fail := func(reason string, err error) error {
			return &FileError{File: name, Line: lineNo, Text: text, Reason: reason, Err: err}
		}
		args, err := SplitArgs(text)
		if err != nil {
			return fail("Unbalanced quotes in configuration line", err)
		}
		if len(args) == 0 {
			continue
		}
		directive := strings.ToLower(args[0])
		if directive == "include" {
			if len(args) != 2 {
				return fail(ErrWrongArgs.Error(), ErrWrongArgs)
			}
			if depth >= maxIncludeDepth {
				return fail("include nested too deeply", errors.New("config: include loop"))
			}
			if err := l.include(args[1], depth+1); err != nil {
				var fe *FileError
				if errors.As(err, &fe) {
					return err
				}
				return fail(err.Error(), err)
			}
			continue
		}
		p, ok := Lookup(directive)
		if !ok {
			return fail(ErrUnknownParam.Error(), &ParamError{Name: args[0], Reason: ErrUnknownParam.Error(), Err: ErrUnknownParam})
		}
		vals := args[1:]
		if p.Accumulates {
			reset := len(vals) == 1 && vals[0] == ""
			if l.seen[p.Name] && !reset {
				vals = append(p.Split(p.get(l.cfg)), vals...)
			}
			l.seen[p.Name] = true
		}
		if err := p.Apply(l.cfg, vals...); err != nil {
			var pe *ParamError
			if errors.As(err, &pe) {
				return fail(pe.Reason, err)
			}
			return fail(err.Error(), err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("config: reading %s: %w", name, err)
	}
	return nil
}

// include loads one file or every file a glob pattern matches, in name
// order, as Redis 7 does.
func (l *loader) include(pattern string, depth int) error {
	if !strings.ContainsAny(pattern, "*?[") {
		return l.file(pattern, depth)
	}
	paths, err := filepath.Glob(pattern)
	if err != nil {
		return fmt.Errorf("config: include %q: %w", pattern, err)
	}
	for _, p := range paths {
		if err := l.file(p, depth); err != nil {
			return err
		}
	}
	return nil
}
