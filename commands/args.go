package commands

import (
	"bytes"
)

// isArg reports whether the argument equals word, ignoring ASCII case;
// word is lower case.
func isArg(arg []byte, word string) bool {
	return len(arg) == len(word) && bytes.EqualFold(arg, []byte(word))
}
