package main

//go:generate go run . ../../README.md

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/nebredis/nebredis/commands"
	"github.com/nebredis/nebredis/config"
)

func main() {
	check := flag.Bool("check", false, "only report whether the file is up to date")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: gendocs [-check] README.md")
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	path := flag.Arg(0)
	old, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
	updated, err := rewrite(string(old), blocks())
	if err != nil {
		fmt.Fprintf(os.Stderr, "gendocs: %s: %v\n", path, err)
		os.Exit(1)
	}
	if updated == string(old) {
		return
	}
	if *check {
		fmt.Fprintf(os.Stderr, "gendocs: %s is stale; run: go run ./cmd/gendocs %s\n", path, path)
		os.Exit(1)
	}
	if err := os.WriteFile(path, []byte(updated), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

// blocks returns the generated text of every block, by name.
func blocks() map[string]string {
	return map[string]string{
		"flags":    flagsMarkdown(),
		"commands": commandsMarkdown(commands.New(config.Default(), nil).Table),
	}
}

// rewrite replaces the body of every named block in doc.
func rewrite(doc string, bodies map[string]string) (string, error) {
	names := make([]string, 0, len(bodies))
	for name := range bodies {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
		i := strings.Index(doc, begin)
		if i < 0 {
			return "", fmt.Errorf("no %q line", strings.TrimSpace(begin))
		}
		j := strings.Index(doc[i:], end)
		if j < 0 {
			return "", fmt.Errorf("no %q line after %q", end, strings.TrimSpace(begin))
		}
		doc = doc[:i+len(begin)] + bodies[name] + doc[i+j:]
	}
	return doc, nil
}

// flagsMarkdown is the table of flags, which are the config parameters.
func flagsMarkdown() string {
	var b bytes.Buffer
	b.WriteString("| Flag / directive | Default | CONFIG SET | Meaning |\n|---|---|---|---|\n")
	for _, p := range config.Params() {
		def := p.DefaultText()
		if def == "" {
			def = `""`
		}
		runtime := "no"
		if p.Mutable && !p.Protected {
			runtime = "yes"
		}
		syntax := p.Syntax
		if p.MultiArg {
			syntax = `"` + syntax + `"`
		}
		fmt.Fprintf(&b, "| `--%s %s` | `%s` | %s | %s |\n", p.Name, cell(syntax), def, runtime, cell(p.Usage))
	}
	return b.String()
}

// commandsMarkdown is the table of commands and subcommands.
func commandsMarkdown(t *commands.Table) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d commands.\n\n", t.Len())
	b.WriteString("| Command | Group | Arity | Flags | Summary |\n|---|---|---|---|---|\n")
	row := func(name string, c *commands.Command) {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", strings.ToUpper(name), c.Group,
			strconv.Itoa(c.Arity), strings.Join(c.Flags.Names(), ", "), cell(c.Summary))
	}
	for _, c := range t.All() {
		row(c.Name, c)
		subs := make([]string, 0, len(c.Sub))
		for name := range c.Sub {
			subs = append(subs, name)
		}
		sort.Strings(subs)
		for _, name := range subs {
			row(c.Name+" "+name, c.Sub[name])
		}
	}
	return b.String()
}

// cell escapes text for a markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
