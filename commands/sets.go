package commands

// RegisterSets adds the sets commands.
func RegisterSets(t *Table) {}
