package commands

// helpCommand builds the HELP subcommand row of a container; lines are
// the reply, one simple string each, as Redis words them.
func helpCommand(since, group string, lines []string) *Command {
	return &Command{Arity: 2, Flags: FlagLoading | FlagStale, Since: since, Group: group,
		Summary:    "Show helpful text about the different subcommands",
		Complexity: "O(1)",
		Handler: func(c *Ctx) {
			c.W.WriteArray(len(lines))
			for _, l := range lines {
				c.W.WriteSimple(l)
			}
		}}
}
