package engine

import "fmt"

func errorf(format string, args ...any) error { return fmt.Errorf("engine: "+format, args...) }
