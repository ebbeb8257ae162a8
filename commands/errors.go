package commands

import (
	"errors"

	"github.com/nebredis/nebredis/engine"
)

// Error replies byte for byte as redis-server 7 writes them. Handlers use
// these constants instead of spelling the text again.
const (
	ErrSyntax        = "ERR syntax error"
	ErrNotInteger    = "ERR value is not an integer or out of range"
	ErrNotFloat      = "ERR value is not a valid float"
	ErrWrongType     = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrNoAuth        = "NOAUTH Authentication required."
	ErrOOM           = "OOM command not allowed when used memory > 'maxmemory'."
	ErrNoSuchKey     = "ERR no such key"
	ErrDBIndex       = "ERR DB index is out of range"
	ErrOverflow      = "ERR increment or decrement would overflow"
	ErrInvalidExpire = "ERR invalid expire time in '%s' command"
	ErrStringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrInvalidPass   = "WRONGPASS invalid username-password pair or user is disabled."
)

// WrongArgs is the arity error for a command name as the table spells it.
func WrongArgs(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// EngineError maps an engine sentinel error to its Redis reply text; the one
// place where engine errors become protocol errors.
func EngineError(err error) string {
	switch {
	case errors.Is(err, engine.ErrWrongType):
		return ErrWrongType
	case errors.Is(err, engine.ErrOOM):
		return ErrOOM
	case errors.Is(err, engine.ErrNoSuchKey):
		return ErrNoSuchKey
	case errors.Is(err, engine.ErrBadDB):
		return ErrDBIndex
	case errors.Is(err, engine.ErrTooLarge):
		return ErrStringTooLong
	}
	return "ERR " + err.Error()
}
