//go:build !unix

package web

import "errors"

func diskFree(string) (uint64, error) { return 0, errors.New("disk free: not supported here") }
