//go:build !unix

package resp

import "errors"

// canWriteDirect: elsewhere every reply goes through the flusher goroutine.
const canWriteDirect = false

func writeNonBlocking(fd uintptr, b []byte) (int, error) {
	return 0, errors.ErrUnsupported
}
