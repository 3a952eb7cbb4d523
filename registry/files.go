package registry

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// privateFile refuses a registry file that is a symlink and makes an existing one 0600: the
// registry is the regency's most sensitive list, and a file from an older version may be looser.
func privateFile(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("registry: %s is a symlink; refusing to use it (the bot keeps its own file there)", path)
	}
	if fi.Mode().Perm() != 0o600 {
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
	}
	return nil
}
