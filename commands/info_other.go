//go:build !linux

package commands

import "runtime"

func osDescription() string { return runtime.GOOS + " " + runtime.GOARCH }

func totalSystemMemory() int64 { return 0 }
