//go:build !unix

package main

import (
	"errors"
	"os"
)

func diskFree(string) (uint64, error) { return 0, errors.New("not supported here") }

func fileOwner(os.FileInfo) (int, bool) { return 0, false }
