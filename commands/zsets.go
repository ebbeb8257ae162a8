package commands

// RegisterZSets adds the zsets commands.
func RegisterZSets(t *Table) {}
