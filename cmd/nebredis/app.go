package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/nebredis/nebredis/commands"
	"github.com/nebredis/nebredis/config"
	"github.com/urfave/cli/v2"
)

// versionLine is what --version prints.
var versionLine = "nebredis v" + commands.NebredisVersion + " (redis " + commands.Version + " compatible)"

// app turns arguments into a validated Config and hands it to serve.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	serve  func(cfg config.Config, stdout io.Writer) error
}

func newApp(stdin io.Reader, stdout io.Writer, serve func(config.Config, io.Writer) error) *app {
	return &app{stdin: stdin, stdout: stdout, serve: serve}
}

// run parses args: an optional config file first ("-" reads standard
// input), then flags. Go's flag parsing stops at the first positional
// argument, so the file is taken off the front before urfave/cli sees the
// rest.
func (a *app) run(args []string) error {
	confFile := ""
	if len(args) > 0 && (args[0] == "-" || !strings.HasPrefix(args[0], "-")) {
		confFile, args = args[0], args[1:]
	}
	var runErr error
	cliApp := &cli.App{
		Name:        "nebredis",
		HideHelp:    true,
		HideVersion: true,
		Writer:      a.stdout,
		ErrWriter:   io.Discard,
		Flags:       flags(),
		// urfave/cli answers --help itself; the template is our text, which
		// holds no template actions (config's tests check the usages).
		CustomAppHelpTemplate: helpText(),
		OnUsageError:          func(_ *cli.Context, err error, _ bool) error { return err },
		CommandNotFound:       func(*cli.Context, string) {},
		Action: func(c *cli.Context) error {
			runErr = a.action(c, confFile)
			return nil
		},
	}
	if err := cliApp.Run(append([]string{"nebredis"}, args...)); err != nil {
		return fmt.Errorf("%w (see nebredis --help)", err)
	}
	return runErr
}

func (a *app) action(c *cli.Context, confFile string) error {
	if c.Bool("version") {
		_, err := fmt.Fprintln(a.stdout, versionLine)
		return err
	}
	if c.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q: only the config file may come before the flags (see nebredis --help)", c.Args().First())
	}
	cfg, err := buildConfig(c, confFile, a.stdin)
	if err != nil {
		return err
	}
	return a.serve(cfg, a.stdout)
}

// flags are generated from the parameter table: one string flag per
// directive, parsed by the same code as the config file and CONFIG SET.
func flags() []cli.Flag {
	out := []cli.Flag{
		&cli.BoolFlag{Name: "help", Aliases: []string{"h"}},
		&cli.BoolFlag{Name: "version", Aliases: []string{"v"}},
	}
	for _, p := range config.Params() {
		out = append(out, &cli.StringFlag{Name: p.Name, Aliases: p.Aliases, Usage: p.Usage})
	}
	return out
}

// buildConfig is defaults, then the config file, then the flags, then
// Validate.
func buildConfig(c *cli.Context, confFile string, stdin io.Reader) (config.Config, error) {
	cfg := config.Default()
	switch confFile {
	case "":
	case "-":
		if err := cfg.LoadReader(stdin, "(stdin)"); err != nil {
			return cfg, describeFileError(err)
		}
	default:
		if err := cfg.LoadFile(confFile); err != nil {
			return cfg, describeFileError(err)
		}
	}
	for _, p := range config.Params() {
		if !c.IsSet(p.Name) {
			continue
		}
		v := c.String(p.Name)
		if err := p.Apply(&cfg, p.Split(v)...); err != nil {
			var pe *config.ParamError
			if errors.As(err, &pe) {
				return cfg, fmt.Errorf("invalid value for --%s %q: %s", p.Name, v, pe.Reason)
			}
			return cfg, fmt.Errorf("--%s: %w", p.Name, err)
		}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("invalid configuration: %w", err)
	}
	return cfg, nil
}

// describeFileError reports a bad config line the way redis-server does.
func describeFileError(err error) error {
	var fe *config.FileError
	if !errors.As(err, &fe) {
		return err
	}
	return fmt.Errorf("*** FATAL CONFIG FILE ERROR (nebredis %s) ***\nReading the configuration file %s, at line %d\n>>> '%s'\n%s",
		commands.NebredisVersion, fe.File, fe.Line, fe.Text, fe.Reason)
}
