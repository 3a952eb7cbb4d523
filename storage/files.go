package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Every file the bot writes holds personal data (NIKs, names, addresses, phone numbers), so:
// the data directory is the bot's own (0700, refused when others may write in it), every file is
// 0600, and no file is written through a symlink — someone who could plant one would otherwise
// have the bot write the registry or an export wherever the link points.

// ErrUnsafePath refuses a data directory or file others could read, write or redirect.
var ErrUnsafePath = errors.New("unsafe file permissions")

// PrepareDataDir creates dir (0700) or checks an existing one. A directory that the group or
// others may write to is refused with the command that fixes it: tightening it silently would
// leave whatever others put or changed there in place. Otherwise the directory is set to 0700
// and every regular file directly in it to 0600 (files from older versions may be looser); a
// symlink among the bot's files is refused.
func PrepareDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data directory %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("data directory %s: %w: not a directory", dir, ErrUnsafePath)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("data directory %s: %w: others may write in it (mode %04o); check what is in it, then run: chmod 700 %s", dir, ErrUnsafePath, fi.Mode().Perm(), dir)
	}
	if fi.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("data directory %s: %w", dir, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("data directory %s: %w", dir, err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			return fmt.Errorf("data directory %s: %w: %s is a symlink; the bot writes only its own files", dir, ErrUnsafePath, e.Name())
		case e.Type().IsRegular():
			if err := privateMode(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// privateMode sets an existing regular file to 0600 if it is looser.
func privateMode(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm() != 0o600 {
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// NotSymlink refuses path when it is a symlink; a path that does not exist yet is fine.
func NotSymlink(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s: %w: it is a symlink; refusing to write through it", path, ErrUnsafePath)
	}
	return nil
}

// OpenPrivate opens path for writing (flag is os.O_WRONLY|os.O_APPEND|os.O_CREATE or similar)
// without following a symlink, and makes sure the file is 0600 even if it existed before.
func OpenPrivate(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag|oNoFollow, 0o600)
	if err != nil {
		if symlinkErr(path) {
			return nil, fmt.Errorf("%s: %w: it is a symlink; refusing to write through it", path, ErrUnsafePath)
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && fi.Mode().Perm() != 0o600 {
		err = f.Chmod(0o600)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// WritePrivateFile writes data to path as a new 0600 file: it writes a temporary file next to
// it (created exclusively, so never through a link) and renames it over path, which replaces a
// symlink at path instead of following it. A reader sees the old file or the whole new one.
func WritePrivateFile(path string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

func symlinkErr(path string) bool {
	fi, err := os.Lstat(path)
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}
